import request from 'supertest';
import { Plan } from '../src/generated/prisma/client';
import { idempotencyRequestHash } from '../src/platform/idempotency/request-hash';
import { createPlan, createUser, TestUser } from './support/factories';
import { activeSubscription } from './support/flows';
import { createTestApp, resetDatabase, TestApp } from './support/test-app';

/**
 * Fault-injection regressions: concurrent mutations of one subscription serialise on its row lock
 * (never a deadlock / 500), and an Idempotency-Key is bound to its response in the request's own
 * transaction (duplicates wait and replay; a rolled-back request leaves no key).
 */
describe('concurrency and crash recovery (e2e)', () => {
  let t: TestApp;
  let starter: Plan;
  let pro: Plan;

  beforeAll(async () => {
    t = await createTestApp();
    await resetDatabase(t.prisma);
    starter = await createPlan(t.prisma, { name: 'Starter', amount: 900 });
    pro = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
  });
  beforeEach(() => t.clock.set('2026-03-10T12:00:00.000Z'));
  afterAll(() => t.close());

  const upgrade = (user: TestUser, id: string) =>
    request(t.server).post(`/v1/subscriptions/${id}/change-plan`).set(user.auth).send({ planId: pro.id });

  /** Fires `count` identical upgrades at once on a fresh active subscription, checks what they wrote, returns the statuses sorted. */
  async function concurrentUpgrades(count: number): Promise<number[]> {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, starter.id);
    const responses = await Promise.all(Array.from({ length: count }, () => upgrade(user, sub.id)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(count - 1);
    for (const loser of responses.filter((r) => r.status === 409)) {
      expect(loser.headers['content-type']).toContain('application/problem+json');
      expect(loser.body.code).toBe('plan_change_pending');
    }
    const prorations = await t.prisma.invoice.findMany({
      where: { subscriptionId: sub.id, kind: 'proration' },
      include: { payments: true },
    });
    expect(prorations).toHaveLength(1);
    expect(prorations[0].payments).toHaveLength(1);
    expect(await t.prisma.outboxMessage.count({ where: { aggregateId: prorations[0].payments[0].id } })).toBe(1);
    expect(
      await t.prisma.outboxMessage.count({ where: { payload: { path: ['subscriptionId'], equals: sub.id } } }),
    ).toBe(2); // initial + proration
    const row = await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
    expect(row).toMatchObject({ pendingPlanId: pro.id, pendingInvoiceId: prorations[0].id, planId: starter.id });
    return statuses.sort((a, b) => a - b);
  }

  describe('concurrent plan changes', () => {
    it('should let one of 2 concurrent upgrades win and answer 409 to the other', async () => {
      expect(await concurrentUpgrades(2)).toEqual([200, 409]);
    });

    it('should let one of 20 concurrent upgrades win and answer 409 plan_change_pending to the rest', async () => {
      expect(await concurrentUpgrades(20)).toEqual([200, ...Array<number>(19).fill(409)]);
    });

    it('should answer only 200 or 409 to 20 concurrent mixed cancel/resume/change-plan and stay consistent', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, starter.id);
      const before = await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
      const calls = Array.from({ length: 20 }, (_, i) => {
        switch (i % 3) {
          case 0:
            return request(t.server)
              .post(`/v1/subscriptions/${sub.id}/cancel`)
              .set(user.auth)
              .send({ atPeriodEnd: true });
          case 1:
            return request(t.server).post(`/v1/subscriptions/${sub.id}/resume`).set(user.auth).send({});
          default:
            return upgrade(user, sub.id);
        }
      });
      const responses = await Promise.all(calls);
      const statuses = responses.map((r) => r.status);
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
      const succeeded = statuses.filter((s) => s === 200).length;
      expect(succeeded).toBeGreaterThan(0);

      const after = await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
      // Every success is exactly one versioned update: nothing was lost or applied twice.
      expect(after.version).toBe(before.version + succeeded);
      expect(after.status).toBe('active');
      expect(after.canceledAt !== null).toBe(after.cancelAtPeriodEnd);
      const upgradesWon = responses.filter((r, i) => i % 3 === 2 && r.status === 200).length;
      expect(upgradesWon).toBe(1);
      const prorations = await t.prisma.invoice.findMany({ where: { subscriptionId: sub.id, kind: 'proration' } });
      expect(prorations).toHaveLength(1);
      expect(after).toMatchObject({ pendingPlanId: pro.id, pendingInvoiceId: prorations[0].id });
      expect(
        await t.prisma.outboxMessage.count({ where: { payload: { path: ['subscriptionId'], equals: sub.id } } }),
      ).toBe(2);
    });
  });

  describe('Idempotency-Key under concurrency and crashes', () => {
    it('should run the request once for 8 parallel duplicates: the others wait for it and replay its response, none gets a 409', async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(t.server).post('/v1/subscriptions').set(user.auth).set('Idempotency-Key', 'parallel-8').send(body),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
      const fresh = responses.filter((r) => r.headers['idempotency-replayed'] === undefined);
      expect(fresh).toHaveLength(1);
      for (const other of responses) expect(other.body).toEqual(fresh[0].body);
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(1);
      expect(await t.prisma.invoice.count({ where: { userId: user.user.id } })).toBe(1);
      expect(
        await t.prisma.outboxMessage.count({ where: { payload: { path: ['userId'], equals: user.user.id } } }),
      ).toBe(1);
    });

    it('should commit the key with the response and the effects: a retry after a lost response replays it', async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      const first = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'lost-response')
        .send(body)
        .expect(201);
      const stored = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { key: 'lost-response' } });
      expect(stored).toMatchObject({ responseStatus: 201 });
      expect(stored.completedAt).not.toBeNull();
      const retry = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'lost-response')
        .send(body)
        .expect(201);
      expect(retry.headers['idempotency-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
    });

    it("should leave no key behind when the request's transaction rolls back", async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      await request(t.server).post('/v1/subscriptions').set(user.auth).send(body).expect(201);
      const conflict = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'rolled-back')
        .send(body)
        .expect(409);
      expect(conflict.body.code).toBe('subscription_exists');
      expect(await t.prisma.idempotencyKey.count({ where: { key: 'rolled-back' } })).toBe(0);
    });

    it('should answer 409 idempotency_key_in_use for a key an earlier version reserved without a response', async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      await t.prisma.idempotencyKey.create({
        data: {
          scope: `user:${user.user.id} POST /v1/subscriptions`,
          key: 'reserved-by-v1',
          requestHash: idempotencyRequestHash(body, {}),
          createdAt: t.clock.now(),
          expiresAt: new Date(t.clock.now().getTime() + 24 * 60 * 60 * 1000),
        },
      });
      const res = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'reserved-by-v1')
        .send(body)
        .expect(409);
      expect(res.body.code).toBe('idempotency_key_in_use');
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(0);
    });
  });
});
