import request from 'supertest';
import { createUser, TestUser } from './support/factories';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';

describe('users (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  beforeAll(async () => {
    t = await createTestApp();
    await resetDatabase(t.prisma);
    alice = await createUser(t.prisma, 'alice');
    bob = await createUser(t.prisma, 'bob');
  });
  afterAll(() => t.close());

  describe('POST /v1/users', () => {
    it('should create a user and return a working API key once', async () => {
      const res = await request(t.server)
        .post('/v1/users')
        .set(admin)
        .send({ email: ' Carol@Example.com ', name: 'Carol' })
        .expect(201);
      expect(res.body).toMatchObject({ object: 'user', email: 'carol@example.com', name: 'Carol' });
      expect(res.body.apiKey).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
      expect(res.headers['cache-control']).toBe('no-store');

      const me = await request(t.server)
        .get('/v1/me')
        .set({ Authorization: `Bearer ${res.body.apiKey}` })
        .expect(200);
      expect(me.body.id).toBe(res.body.id);
      expect(me.body.apiKey).toBeUndefined();
      const [stored] = await t.prisma.apiKey.findMany({ where: { userId: res.body.id } });
      expect(stored).toMatchObject({ prefix: res.body.apiKey.slice(0, 12), last4: res.body.apiKey.slice(-4) });
      expect(stored.keyHash).not.toContain(res.body.apiKey);
    });

    it('should replay a create with the same Idempotency-Key without the API key, which is never stored', async () => {
      const body = { email: 'erin@example.com', name: 'Erin' };
      const first = await request(t.server)
        .post('/v1/users')
        .set(admin)
        .set('Idempotency-Key', 'create-erin')
        .send(body)
        .expect(201);
      const replay = await request(t.server)
        .post('/v1/users')
        .set(admin)
        .set('Idempotency-Key', 'create-erin')
        .send(body)
        .expect(201);

      expect(replay.headers['idempotency-replayed']).toBe('true');
      const { apiKey, ...withoutKey } = first.body;
      expect(replay.body).toEqual(withoutKey);
      const stored = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { key: 'create-erin' } });
      expect(JSON.stringify(stored.responseBody)).not.toContain(apiKey);
      expect(await t.prisma.user.count({ where: { email: body.email } })).toBe(1);
    });

    it('should reject a duplicate email with 409 email_taken', async () => {
      const res = await request(t.server)
        .post('/v1/users')
        .set(admin)
        .send({ email: alice.user.email, name: 'Again' })
        .expect(409);
      expect(res.body.code).toBe('email_taken');
    });

    it.each([
      ['an unknown field', { email: 'dave@example.com', name: 'Dave', role: 'admin' }, 'role'],
      ['a bad email', { email: 'not-an-email', name: 'Dave' }, 'email'],
      ['a missing name', { email: 'dave@example.com' }, 'name'],
    ])('should reject %s with 400 field errors and create nothing', async (_label, body, field) => {
      const before = await t.prisma.user.count();
      const res = await request(t.server).post('/v1/users').set(admin).send(body).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await t.prisma.user.count()).toBe(before);
    });

    it('should forbid user keys', async () => {
      const res = await request(t.server)
        .post('/v1/users')
        .set(alice.auth)
        .send({ email: 'eve@example.com', name: 'Eve' })
        .expect(403);
      expect(res.body.code).toBe('forbidden');
    });
  });

  describe('GET /v1/users', () => {
    it('should page newest first with a cursor', async () => {
      const first = await request(t.server).get('/v1/users?limit=2').set(admin).expect(200);
      expect(first.body).toMatchObject({ object: 'list', hasMore: true });
      expect(first.body.data).toHaveLength(2);
      const second = await request(t.server)
        .get(`/v1/users?limit=2&startingAfter=${first.body.nextCursor}`)
        .set(admin)
        .expect(200);
      const ids = [...first.body.data, ...second.body.data].map((u: { id: string }) => u.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining([alice.user.id, bob.user.id]));
      expect(second.body.hasMore).toBe(false);
      expect(second.body.nextCursor).toBeNull();
    });

    it('should reject limit above 100', async () => {
      await request(t.server).get('/v1/users?limit=101').set(admin).expect(400);
    });
  });

  describe('GET/PATCH /v1/users/:id', () => {
    it('should let a user read and update themself', async () => {
      await request(t.server).get(`/v1/users/${alice.user.id}`).set(alice.auth).expect(200);
      const res = await request(t.server)
        .patch(`/v1/users/${alice.user.id}`)
        .set(alice.auth)
        .send({ name: 'Alice Renamed' })
        .expect(200);
      expect(res.body.name).toBe('Alice Renamed');
    });

    it('should answer 404 for another user, for reads and writes', async () => {
      await request(t.server).get(`/v1/users/${bob.user.id}`).set(alice.auth).expect(404);
      await request(t.server).patch(`/v1/users/${bob.user.id}`).set(alice.auth).send({ name: 'Hacked' }).expect(404);
      const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: bob.user.id } });
      expect(stored.name).toBe('bob');
    });

    it('should let an admin update anyone and reject a taken email', async () => {
      await request(t.server)
        .patch(`/v1/users/${bob.user.id}`)
        .set(admin)
        .send({ email: 'bob.new@example.com' })
        .expect(200);
      const res = await request(t.server)
        .patch(`/v1/users/${bob.user.id}`)
        .set(admin)
        .send({ email: alice.user.email })
        .expect(409);
      expect(res.body.code).toBe('email_taken');
    });

    it('should answer 404 for an unknown id', async () => {
      await request(t.server).get('/v1/users/00000000-0000-4000-8000-00000000dead').set(admin).expect(404);
    });
  });

  describe('GET /v1/me', () => {
    it('should return the caller and refuse admin keys', async () => {
      const res = await request(t.server).get('/v1/me').set(bob.auth).expect(200);
      expect(res.body.id).toBe(bob.user.id);
      await request(t.server).get('/v1/me').set(admin).expect(403);
    });
  });
});
