import request from 'supertest';
import { Plan } from '../src/generated/prisma/client';
import { IDEMPOTENCY_TAKEOVER_AFTER_MS } from '../src/platform/idempotency/idempotency.interceptor';
import { idempotencyRequestHash } from '../src/platform/idempotency/request-hash';
import { createPlan, createUser, TestUser } from './support/factories';
import { activeSubscription } from './support/flows';
import { createTestApp, resetDatabase, TestApp } from './support/test-app';

/**
 * Fault-injection regressions: concurrent mutations of one subscription serialise on its row lock
 * (never a deadlock / 500), and an Idempotency-Key orphaned by a crashed request can be taken over.
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

  const upgrade = (user: TestUser, id: string) => request(t.server).post(`/v1/subscriptions/${id}/change-plan`).set(user.auth).send({ planId: pro.id });

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
    const prorations = await t.prisma.invoice.findMany({ where: { subscriptionId: sub.id, kind: 'proration' }, include: { payments: true } });
    expect(prorations).toHaveLength(1);
    expect(prorations[0].payments).toHaveLength(1);
    expect(await t.prisma.outboxMessage.count({ where: { aggregateId: prorations[0].payments[0].id } })).toBe(1);
    expect(await t.prisma.outboxMessage.count({ where: { payload: { path: ['subscriptionId'], equals: sub.id } } })).toBe(2); // initial + proration
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
            return request(t.server).post(`/v1/subscriptions/${sub.id}/cancel`).set(user.auth).send({ atPeriodEnd: true });
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
      expect(await t.prisma.outboxMessage.count({ where: { payload: { path: ['subscriptionId'], equals: sub.id } } })).toBe(2);
    });
  });

  describe('Idempotency-Key takeover after a crash', () => {
    const scopeOf = (user: TestUser) => `user:${user.user.id} POST /v1/subscriptions`;

    /** What a request killed mid-flight leaves behind: a reservation without a stored response. */
    async function inFlightReservation(user: TestUser, key: string, body: object, ageMs: number): Promise<void> {
      const createdAt = new Date(t.clock.now().getTime() - ageMs);
      await t.prisma.idempotencyKey.create({
        data: {
          scope: scopeOf(user),
          key,
          requestHash: idempotencyRequestHash(body, {}),
          createdAt,
          expiresAt: new Date(createdAt.getTime() + 24 * 60 * 60 * 1000),
        },
      });
    }

    it('should let a retry take over a stale reservation and run the request (nothing was created before the crash)', async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      await inFlightReservation(user, 'crashed-1', body, IDEMPOTENCY_TAKEOVER_AFTER_MS + 1000);
      const res = await request(t.server).post('/v1/subscriptions').set(user.auth).set('Idempotency-Key', 'crashed-1').send(body).expect(201);
      expect(res.body).toMatchObject({ status: 'incomplete', planId: pro.id, userId: user.user.id });
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(1);
      // The response is stored now: the next retry is a replay.
      const again = await request(t.server).post('/v1/subscriptions').set(user.auth).set('Idempotency-Key', 'crashed-1').send(body).expect(201);
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(again.body.id).toBe(res.body.id);
    });

    it('should answer 409 subscription_exists, not idempotency_key_in_use, when the crashed request had committed', async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      // The first run committed its subscription, then died before storing the response.
      await request(t.server).post('/v1/subscriptions').set(user.auth).send(body).expect(201);
      await inFlightReservation(user, 'crashed-2', body, IDEMPOTENCY_TAKEOVER_AFTER_MS + 1000);
      const res = await request(t.server).post('/v1/subscriptions').set(user.auth).set('Idempotency-Key', 'crashed-2').send(body).expect(409);
      expect(res.body.code).toBe('subscription_exists');
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(1);
    });

    it('should still answer 409 idempotency_key_in_use for a fresh in-flight reservation', async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      await inFlightReservation(user, 'running', body, IDEMPOTENCY_TAKEOVER_AFTER_MS - 5000);
      const res = await request(t.server).post('/v1/subscriptions').set(user.auth).set('Idempotency-Key', 'running').send(body).expect(409);
      expect(res.body.code).toBe('idempotency_key_in_use');
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(0);
    });

    it('should still answer 422 for a stale reservation retried with another body', async () => {
      const user = await createUser(t.prisma);
      await inFlightReservation(user, 'crashed-3', { planId: pro.id, paymentMethod: 'pm_card_visa' }, IDEMPOTENCY_TAKEOVER_AFTER_MS + 1000);
      const res = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'crashed-3')
        .send({ planId: starter.id, paymentMethod: 'pm_card_visa' })
        .expect(422);
      expect(res.body.code).toBe('idempotency_key_reused');
    });

    it('should run the handler exactly once for 8 parallel retries over a stale reservation', async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      await inFlightReservation(user, 'crashed-4', body, IDEMPOTENCY_TAKEOVER_AFTER_MS + 1000);
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => request(t.server).post('/v1/subscriptions').set(user.auth).set('Idempotency-Key', 'crashed-4').send(body)),
      );
      const fresh = responses.filter((r) => r.status === 201 && r.headers['idempotency-replayed'] === undefined);
      expect(fresh).toHaveLength(1);
      for (const other of responses.filter((r) => r !== fresh[0])) {
        const replayed = other.status === 201 && other.headers['idempotency-replayed'] === 'true' && other.body.id === fresh[0].body.id;
        const inUse = other.status === 409 && other.body.code === 'idempotency_key_in_use';
        expect(replayed || inUse).toBe(true);
      }
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(1);
      expect(await t.prisma.invoice.count({ where: { userId: user.user.id } })).toBe(1);
      expect(await t.prisma.outboxMessage.count({ where: { payload: { path: ['userId'], equals: user.user.id } } })).toBe(1);
    });
  });
});
