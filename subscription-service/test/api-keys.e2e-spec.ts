import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { sha256Hex } from '../src/platform/auth/api-key';
import { seedDatabase } from '../src/seed';
import { DEMO_KEYS } from '../src/seed-ids';
import { SEED_IDS } from '../src/seed-ids';
import { createUser, TestUser } from './support/factories';
import { createTestApp, e2eDatabaseUrl, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';

const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const UNKNOWN_ID = '00000000-0000-4000-8000-00000000dead';

describe('user API keys (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    await resetDatabase(t.prisma);
    alice = await createUser(t.prisma, 'alice');
    bob = await createUser(t.prisma, 'bob');
  });
  afterAll(() => t.close());

  const issue = async (userId: string, auth: Record<string, string>) =>
    (await request(t.server).post(`/v1/users/${userId}/api-keys`).set(auth).expect(201)).body as {
      id: string;
      key: string;
    };
  const storedKeys = (userId: string) =>
    t.prisma.apiKey.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });

  describe('POST /v1/users/{id}/api-keys', () => {
    it('should issue a working key shown once, uncacheable, of which only the hash is stored', async () => {
      t.clock.set('2026-03-10T12:00:00.000Z');
      const res = await request(t.server).post(`/v1/users/${alice.user.id}/api-keys`).set(alice.auth).expect(201);

      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        object: 'api_key',
        prefix: res.body.key.slice(0, 12),
        last4: res.body.key.slice(-4),
        createdAt: '2026-03-10T12:00:00.000Z',
        lastUsedAt: null,
        revokedAt: null,
        key: expect.stringMatching(/^sk_live_[A-Za-z0-9_-]{43}$/),
      });
      const me = await request(t.server).get('/v1/me').set(bearer(res.body.key)).expect(200);
      expect(me.body.id).toBe(alice.user.id);
      const stored = await t.prisma.apiKey.findUniqueOrThrow({ where: { id: res.body.id } });
      expect(stored.keyHash).toBe(sha256Hex(res.body.key));
      // The old key keeps working beside the new one until it is revoked.
      await request(t.server).get('/v1/me').set(alice.auth).expect(200);
    });

    it('should replay a create with the same Idempotency-Key without the key, which is never stored', async () => {
      const first = await request(t.server)
        .post(`/v1/users/${bob.user.id}/api-keys`)
        .set(bob.auth)
        .set('Idempotency-Key', 'bob-second-key')
        .expect(201);
      const replay = await request(t.server)
        .post(`/v1/users/${bob.user.id}/api-keys`)
        .set(bob.auth)
        .set('Idempotency-Key', 'bob-second-key')
        .expect(201);

      expect(replay.headers['idempotency-replayed']).toBe('true');
      const { key, ...withoutKey } = first.body;
      expect(replay.body).toEqual(withoutKey);
      const stored = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { key: 'bob-second-key' } });
      expect(JSON.stringify(stored.responseBody)).not.toContain(key);
      expect(await t.prisma.apiKey.count({ where: { userId: bob.user.id } })).toBe(2);
    });
  });

  describe('GET /v1/users/{id}/api-keys', () => {
    it("should list the user's keys newest first, without secrets, in pages", async () => {
      const created = await request(t.server)
        .post('/v1/users')
        .set(admin)
        .send({ email: 'lister@example.com', name: 'Lister' })
        .expect(201);
      const userId: string = created.body.id;
      const auth = bearer(created.body.apiKey);
      const [first] = await storedKeys(userId);
      t.clock.advance(1000);
      const second = await issue(userId, auth);
      t.clock.advance(1000);
      const third = await issue(userId, auth);

      const all = await request(t.server).get(`/v1/users/${userId}/api-keys`).set(auth).expect(200);
      expect(all.body).toMatchObject({ object: 'list', hasMore: false, nextCursor: null });
      expect(all.body.data.map((k: { id: string }) => k.id)).toEqual([third.id, second.id, first.id]);
      expect(all.body.data.every((k: object) => !('key' in k) && !('keyHash' in k))).toBe(true);
      expect(JSON.stringify(all.body)).not.toContain(second.key);

      const page = await request(t.server)
        .get(`/v1/users/${userId}/api-keys`)
        .query({ limit: 2 })
        .set(auth)
        .expect(200);
      expect(page.body).toMatchObject({ hasMore: true, nextCursor: second.id });
      const rest = await request(t.server)
        .get(`/v1/users/${userId}/api-keys`)
        .query({ limit: 2, startingAfter: page.body.nextCursor })
        .set(auth)
        .expect(200);
      expect(rest.body.data.map((k: { id: string }) => k.id)).toEqual([first.id]);
      expect(rest.body.hasMore).toBe(false);
    });
  });

  describe('DELETE /v1/users/{id}/api-keys/{keyId}', () => {
    it('should revoke a key, which answers 401 at once, and answer a second revocation with the same object', async () => {
      const issued = await issue(alice.user.id, alice.auth);
      await request(t.server).get('/v1/me').set(bearer(issued.key)).expect(200);
      t.clock.set('2026-03-11T08:00:00.000Z');

      const revoked = await request(t.server)
        .delete(`/v1/users/${alice.user.id}/api-keys/${issued.id}`)
        .set(alice.auth)
        .expect(200);
      expect(revoked.body).toMatchObject({ id: issued.id, object: 'api_key', revokedAt: '2026-03-11T08:00:00.000Z' });
      expect(revoked.body.key).toBeUndefined();

      const refused = await request(t.server).get('/v1/me').set(bearer(issued.key)).expect(401);
      expect(refused.body.code).toBe('unauthorized');

      t.clock.advance(60_000);
      const again = await request(t.server)
        .delete(`/v1/users/${alice.user.id}/api-keys/${issued.id}`)
        .set(alice.auth)
        .expect(200);
      expect(again.body).toEqual(revoked.body);

      const listed = await request(t.server).get(`/v1/users/${alice.user.id}/api-keys`).set(alice.auth).expect(200);
      expect(listed.body.data.find((k: { id: string }) => k.id === issued.id)).toEqual(revoked.body);
    });

    it('should let a user revoke the key they are calling with', async () => {
      const user = await createUser(t.prisma, 'self-revoker');
      const [own] = await storedKeys(user.user.id);
      await request(t.server).delete(`/v1/users/${user.user.id}/api-keys/${own.id}`).set(user.auth).expect(200);
      await request(t.server).get('/v1/me').set(user.auth).expect(401);
    });

    it('should refuse a revoked key at once on another instance of the service using the same database', async () => {
      const other = await createTestApp();
      try {
        const issued = await issue(bob.user.id, bob.auth);
        // The other instance has already seen the key: nothing it remembers may keep it valid.
        await request(other.server).get('/v1/me').set(bearer(issued.key)).expect(200);
        await request(other.server).get('/v1/me').set(bearer(issued.key)).expect(200);

        await request(t.server).delete(`/v1/users/${bob.user.id}/api-keys/${issued.id}`).set(bob.auth).expect(200);

        await request(other.server).get('/v1/me').set(bearer(issued.key)).expect(401);
        await request(other.server).get('/v1/me').set(bob.auth).expect(200);
      } finally {
        await other.close();
      }
    });

    it('should answer 404 for an unknown key and change nothing', async () => {
      const res = await request(t.server)
        .delete(`/v1/users/${alice.user.id}/api-keys/${UNKNOWN_ID}`)
        .set(alice.auth)
        .expect(404);
      expect(res.body.code).toBe('not_found');
    });
  });

  describe('who may manage keys', () => {
    it("should answer 404 to a user who lists, issues or revokes another user's keys, and change nothing", async () => {
      const before = await storedKeys(alice.user.id);
      const [aliceKey] = before;

      for (const res of [
        await request(t.server).get(`/v1/users/${alice.user.id}/api-keys`).set(bob.auth),
        await request(t.server).post(`/v1/users/${alice.user.id}/api-keys`).set(bob.auth),
        await request(t.server).delete(`/v1/users/${alice.user.id}/api-keys/${aliceKey.id}`).set(bob.auth),
        // Through their own user id, another user's key is not one of theirs either.
        await request(t.server).delete(`/v1/users/${bob.user.id}/api-keys/${aliceKey.id}`).set(bob.auth),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      expect(await storedKeys(alice.user.id)).toEqual(before);
      await request(t.server).get('/v1/me').set(alice.auth).expect(200);
    });

    it("should let an admin issue, list and revoke any user's keys", async () => {
      const user = await createUser(t.prisma, 'managed');
      const created = await request(t.server).post(`/v1/users/${user.user.id}/api-keys`).set(admin).expect(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const me = await request(t.server).get('/v1/me').set(bearer(created.body.key)).expect(200);
      expect(me.body.id).toBe(user.user.id);

      const listed = await request(t.server).get(`/v1/users/${user.user.id}/api-keys`).set(admin).expect(200);
      expect(listed.body.data).toHaveLength(2);

      await request(t.server).delete(`/v1/users/${user.user.id}/api-keys/${created.body.id}`).set(admin).expect(200);
      await request(t.server).get('/v1/me').set(bearer(created.body.key)).expect(401);
    });

    it('should answer 404 to an admin for an unknown user, and 400 for an id that is not a UUID', async () => {
      await request(t.server).get(`/v1/users/${UNKNOWN_ID}/api-keys`).set(admin).expect(404);
      await request(t.server).post(`/v1/users/${UNKNOWN_ID}/api-keys`).set(admin).expect(404);
      await request(t.server).delete(`/v1/users/${UNKNOWN_ID}/api-keys/${randomUUID()}`).set(admin).expect(404);
      await request(t.server).get('/v1/users/not-a-uuid/api-keys').set(admin).expect(400);
      await request(t.server).delete(`/v1/users/${alice.user.id}/api-keys/not-a-uuid`).set(admin).expect(400);
      expect(await t.prisma.apiKey.count({ where: { userId: UNKNOWN_ID } })).toBe(0);
    });

    it('should answer 401 without a key', async () => {
      await request(t.server).get(`/v1/users/${alice.user.id}/api-keys`).expect(401);
      await request(t.server).post(`/v1/users/${alice.user.id}/api-keys`).expect(401);
    });
  });

  describe('lastUsedAt', () => {
    it('should record the first use of a key, and again only after a minute has passed', async () => {
      const user = await createUser(t.prisma, 'user-of-keys');
      const [key] = await storedKeys(user.user.id);
      expect(key.lastUsedAt).toBeNull();
      const lastUsedAt = async () => (await t.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt;

      t.clock.set('2026-04-01T09:00:00.000Z');
      await request(t.server).get('/v1/me').set(user.auth).expect(200);
      expect(await lastUsedAt()).toEqual(new Date('2026-04-01T09:00:00.000Z'));

      t.clock.set('2026-04-01T09:00:59.999Z');
      await request(t.server).get('/v1/me').set(user.auth).expect(200);
      await request(t.server).get(`/v1/users/${user.user.id}/api-keys`).set(user.auth).expect(200);
      expect(await lastUsedAt()).toEqual(new Date('2026-04-01T09:00:00.000Z'));

      t.clock.set('2026-04-01T09:01:00.001Z');
      await request(t.server).get('/v1/me').set(user.auth).expect(200);
      expect(await lastUsedAt()).toEqual(new Date('2026-04-01T09:01:00.001Z'));

      const listed = await request(t.server).get(`/v1/users/${user.user.id}/api-keys`).set(admin).expect(200);
      expect(listed.body.data[0]).toMatchObject({ id: key.id, lastUsedAt: '2026-04-01T09:01:00.001Z' });
    });

    it('should not record uses of a revoked key', async () => {
      const issued = await issue(bob.user.id, bob.auth);
      await request(t.server).delete(`/v1/users/${bob.user.id}/api-keys/${issued.id}`).set(bob.auth).expect(200);
      t.clock.advance(10 * 60_000);
      await request(t.server).get('/v1/me').set(bearer(issued.key)).expect(401);
      expect((await t.prisma.apiKey.findUniqueOrThrow({ where: { id: issued.id } })).lastUsedAt).toBeNull();
    });
  });

  describe('keys that existed before key management', () => {
    it('should keep the seeded demo keys working, listed under their fixed ids', async () => {
      await seedDatabase(t.prisma, new Date('2026-03-01T00:00:00Z'));
      const me = await request(t.server).get('/v1/me').set(bearer(DEMO_KEYS.alice)).expect(200);
      expect(me.body.id).toBe(SEED_IDS.users.alice);
      const listed = await request(t.server)
        .get(`/v1/users/${SEED_IDS.users.alice}/api-keys`)
        .set(bearer(DEMO_KEYS.alice))
        .expect(200);
      expect(listed.body.data).toEqual([
        expect.objectContaining({ id: SEED_IDS.apiKeys.alice, prefix: 'sk_user_demo', last4: '0001', revokedAt: null }),
      ]);
    });

    it("should move every user's key into api_keys when migrating a database from before it", async () => {
      const scratch = new URL(e2eDatabaseUrl());
      const scratchName = `${decodeURIComponent(scratch.pathname.slice(1))}_keys_migration`;
      scratch.pathname = `/${scratchName}`;
      const server = new Client({ connectionString: e2eDatabaseUrl() });
      await server.connect();
      await server.query(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`);
      await server.query(`CREATE DATABASE "${scratchName}"`);
      const db = new Client({ connectionString: scratch.toString() });
      let migrated: TestApp | undefined;
      try {
        await db.connect();
        const dir = join(__dirname, '..', 'prisma', 'migrations');
        const migrations = readdirSync(dir, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name)
          .sort();
        const keysMigration = migrations.indexOf('20261201080000_api_keys');
        expect(keysMigration).toBeGreaterThan(0);
        const apply = async (name: string) => db.query(readFileSync(join(dir, name, 'migration.sql'), 'utf8'));
        for (const name of migrations.slice(0, keysMigration)) await apply(name);
        const oldKeys = { carol: 'sk_live_issued_before_api_keys_carol', dave: 'sk_live_issued_before_api_keys_dave' };
        const { rows: users } = await db.query<{ id: string; name: string }>(
          `INSERT INTO users (id, email, name, api_key_hash, api_key_prefix, created_at, updated_at)
           VALUES (gen_random_uuid(), 'carol@example.com', 'carol', $1, $2, '2026-01-05T10:00:00Z', now()),
                  (gen_random_uuid(), 'dave@example.com', 'dave', $3, $4, '2026-02-07T11:00:00Z', now())
           RETURNING id, name`,
          [sha256Hex(oldKeys.carol), oldKeys.carol.slice(0, 12), sha256Hex(oldKeys.dave), oldKeys.dave.slice(0, 12)],
        );
        for (const name of migrations.slice(keysMigration)) await apply(name);

        migrated = await createTestApp({ DATABASE_URL: scratch.toString() });
        for (const user of users) {
          const key = oldKeys[user.name as keyof typeof oldKeys];
          const me = await request(migrated.server).get('/v1/me').set(bearer(key)).expect(200);
          expect(me.body.id).toBe(user.id);
        }
        const carol = users.find((u) => u.name === 'carol')!;
        const listed = await request(migrated.server)
          .get(`/v1/users/${carol.id}/api-keys`)
          .set(bearer(oldKeys.carol))
          .expect(200);
        expect(listed.body.data).toEqual([
          expect.objectContaining({
            prefix: 'sk_live_issu',
            last4: null,
            createdAt: '2026-01-05T10:00:00.000Z',
            revokedAt: null,
          }),
        ]);
        const { rows: columns } = await db.query(
          `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name LIKE 'api_key%'`,
        );
        expect(columns).toEqual([]);
      } finally {
        await migrated?.close();
        await db.end();
        await server.query(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`);
        await server.end();
      }
    });
  });
});
