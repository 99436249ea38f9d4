import request from 'supertest';
import { Plan } from '../src/generated/prisma/client';
import { createPlan, createUser } from './support/factories';
import { activeSubscription, deliverPaymentEvent, subscribe } from './support/flows';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';

describe('subscriptions (e2e)', () => {
  let t: TestApp;
  let starter: Plan;
  let pro: Plan;
  let business: Plan;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  beforeAll(async () => {
    t = await createTestApp();
    await resetDatabase(t.prisma);
    starter = await createPlan(t.prisma, { name: 'Starter', amount: 900 });
    pro = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
    business = await createPlan(t.prisma, { name: 'Business', amount: 9900 });
  });
  beforeEach(() => t.clock.set('2026-03-10T12:00:00.000Z'));
  afterAll(() => t.close());

  describe('POST /v1/subscriptions', () => {
    it('should create an incomplete subscription with invoice, pending payment, outbox message and history in one go', async () => {
      const user = await createUser(t.prisma);
      const res = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('X-Request-Id', 'req-subscribe-1')
        .send({ planId: pro.id, paymentMethod: 'pm_card_visa' })
        .expect(201);

      expect(res.body).toMatchObject({
        object: 'subscription',
        userId: user.user.id,
        planId: pro.id,
        status: 'incomplete',
        hasAccess: false,
        entitledUntil: null,
        currentPeriodStart: '2026-03-10T12:00:00.000Z',
        currentPeriodEnd: '2026-04-10T12:00:00.000Z',
        incompleteExpiresAt: '2026-03-11T11:00:00.000Z',
        cancelAtPeriodEnd: false,
        latestInvoice: { object: 'invoice', kind: 'initial', status: 'open', amount: 2900, currency: 'USD' },
      });
      expect(res.body.latestInvoice.payments).toEqual([
        expect.objectContaining({ status: 'pending', paymentMethod: 'pm_card_visa' }),
      ]);

      const outbox = await t.prisma.outboxMessage.findMany({
        where: { aggregateId: res.body.latestInvoice.payments[0].id },
      });
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({ topic: 'payment.initiate', status: 'pending', requestId: 'req-subscribe-1' });
      expect(outbox[0].payload).toMatchObject({
        invoiceId: res.body.latestInvoice.id,
        amount: 2900,
        userId: user.user.id,
      });

      const history = await request(t.server)
        .get(`/v1/subscriptions/${res.body.id}/history`)
        .set(user.auth)
        .expect(200);
      expect(history.body.data).toEqual([
        expect.objectContaining({
          fromStatus: null,
          toStatus: 'incomplete',
          reason: 'subscription_created',
          causeType: 'request',
          causeId: 'req-subscribe-1',
        }),
      ]);
    });

    it('should refuse a second live subscription with 409 subscription_exists and write nothing', async () => {
      const user = await createUser(t.prisma);
      await subscribe(t, user.auth, starter.id);
      const invoicesBefore = await t.prisma.invoice.count();
      const res = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .send({ planId: pro.id, paymentMethod: 'pm_card_visa' })
        .expect(409);
      expect(res.body.code).toBe('subscription_exists');
      expect(await t.prisma.invoice.count()).toBe(invoicesBefore);
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(1);
    });

    it('should allow a new subscription once the previous one is canceled', async () => {
      const user = await createUser(t.prisma);
      const first = await subscribe(t, user.auth, starter.id);
      await request(t.server)
        .post(`/v1/subscriptions/${first.id}/cancel`)
        .set(user.auth)
        .send({ atPeriodEnd: false })
        .expect(200);
      await subscribe(t, user.auth, pro.id);
    });

    it('should require userId from admins and subscribe that user', async () => {
      const user = await createUser(t.prisma);
      const missing = await request(t.server)
        .post('/v1/subscriptions')
        .set(admin)
        .send({ planId: pro.id, paymentMethod: 'pm_card_visa' })
        .expect(400);
      expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'userId' })]);
      const res = await request(t.server)
        .post('/v1/subscriptions')
        .set(admin)
        .send({ planId: pro.id, paymentMethod: 'pm_card_visa', userId: user.user.id })
        .expect(201);
      expect(res.body.userId).toBe(user.user.id);
    });

    it('should forbid a user key from subscribing someone else', async () => {
      const [user, other] = [await createUser(t.prisma), await createUser(t.prisma)];
      await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .send({ planId: pro.id, paymentMethod: 'pm_card_visa', userId: other.user.id })
        .expect(403);
    });

    it.each([
      ['an unknown field', { planId: 'PLAN', paymentMethod: 'pm_card_visa', coupon: 'FREE' }, 'coupon'],
      ['a malformed payment method', { planId: 'PLAN', paymentMethod: 'visa' }, 'paymentMethod'],
      ['a non-uuid plan id', { planId: 'pro', paymentMethod: 'pm_card_visa' }, 'planId'],
    ])('should reject %s with 400 and create nothing', async (_label, body, field) => {
      const user = await createUser(t.prisma);
      const payload = { ...body, planId: body.planId === 'PLAN' ? pro.id : body.planId };
      const res = await request(t.server).post('/v1/subscriptions').set(user.auth).send(payload).expect(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(0);
    });

    it('should answer 404 for an unknown plan', async () => {
      const user = await createUser(t.prisma);
      await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .send({ planId: '00000000-0000-4000-8000-00000000dead', paymentMethod: 'pm_card_visa' })
        .expect(404);
    });

    it('should answer 401 without a key', async () => {
      await request(t.server)
        .post('/v1/subscriptions')
        .send({ planId: pro.id, paymentMethod: 'pm_card_visa' })
        .expect(401);
    });
  });

  describe('Idempotency-Key', () => {
    it('should replay the first response for the same key and body', async () => {
      const user = await createUser(t.prisma);
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      const first = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'key-1')
        .send(body)
        .expect(201);
      expect(first.headers['idempotency-replayed']).toBeUndefined();
      const again = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'key-1')
        .send({ paymentMethod: 'pm_card_visa', planId: pro.id })
        .expect(201);
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await t.prisma.subscription.count({ where: { userId: user.user.id } })).toBe(1);
    });

    it('should answer 422 when the key is reused with another body', async () => {
      const user = await createUser(t.prisma);
      await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'key-2')
        .send({ planId: pro.id, paymentMethod: 'pm_card_visa' })
        .expect(201);
      const res = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'key-2')
        .send({ planId: starter.id, paymentMethod: 'pm_card_visa' })
        .expect(422);
      expect(res.body.code).toBe('idempotency_key_reused');
    });

    it('should scope keys per caller', async () => {
      const [a, b] = [await createUser(t.prisma), await createUser(t.prisma)];
      const body = { planId: pro.id, paymentMethod: 'pm_card_visa' };
      const first = await request(t.server)
        .post('/v1/subscriptions')
        .set(a.auth)
        .set('Idempotency-Key', 'shared')
        .send(body)
        .expect(201);
      const second = await request(t.server)
        .post('/v1/subscriptions')
        .set(b.auth)
        .set('Idempotency-Key', 'shared')
        .send(body)
        .expect(201);
      expect(second.body.id).not.toBe(first.body.id);
    });

    it('should release the key when the request fails so a retry can succeed', async () => {
      const user = await createUser(t.prisma);
      const archived = await createPlan(t.prisma, { active: false });
      await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'key-3')
        .send({ planId: archived.id, paymentMethod: 'pm_card_visa' })
        .expect(409);
      await t.prisma.plan.update({ where: { id: archived.id }, data: { active: true } });
      await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('Idempotency-Key', 'key-3')
        .send({ planId: archived.id, paymentMethod: 'pm_card_visa' })
        .expect(201);
    });

    it('should make 8 parallel requests without a key still yield one live subscription', async () => {
      const user = await createUser(t.prisma);
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(t.server)
            .post('/v1/subscriptions')
            .set(user.auth)
            .send({ planId: pro.id, paymentMethod: 'pm_card_visa' }),
        ),
      );
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'subscription_exists')).toBe(true);
    });
  });

  describe('reading', () => {
    it('should return the whole status history oldest first, unpaginated, and say so in the OpenAPI description', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      t.clock.advance(1000);
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(user.auth)
        .send({ atPeriodEnd: false })
        .expect(200);
      const whole = await request(t.server).get(`/v1/subscriptions/${sub.id}/history`).set(user.auth).expect(200);
      expect(whole.body).toMatchObject({ object: 'list', hasMore: false, nextCursor: null });
      expect(whole.body.data.map((h: { toStatus: string }) => h.toStatus)).toEqual([
        'incomplete',
        'active',
        'canceled',
      ]);

      const doc = (await request(t.server).get('/docs-json').expect(200)).body;
      const description: string = doc.paths['/v1/subscriptions/{id}/history'].get.description;
      expect(description).toContain('not paginated');
      expect(description).toMatch(/bounded, small number/);
      expect(doc.paths['/v1/subscriptions/{id}/history'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
        'id',
      ]);
    });

    it("should list own subscriptions, hide others' (404) and let admins filter", async () => {
      const [owner, stranger] = [await createUser(t.prisma), await createUser(t.prisma)];
      const created = await subscribe(t, owner.auth, pro.id);
      const own = await request(t.server).get('/v1/subscriptions').set(owner.auth).expect(200);
      expect(own.body.data.map((s: { id: string }) => s.id)).toEqual([created.id]);
      await request(t.server).get(`/v1/subscriptions/${created.id}`).set(stranger.auth).expect(404);
      await request(t.server).get(`/v1/subscriptions/${created.id}/history`).set(stranger.auth).expect(404);
      await request(t.server).get(`/v1/invoices/${created.invoiceId}`).set(stranger.auth).expect(404);
      const none = await request(t.server).get('/v1/subscriptions').set(stranger.auth).expect(200);
      expect(none.body.data).toEqual([]);
      await request(t.server).get(`/v1/subscriptions?userId=${owner.user.id}`).set(stranger.auth).expect(403);

      const filtered = await request(t.server)
        .get(`/v1/subscriptions?userId=${owner.user.id}&status=incomplete`)
        .set(admin)
        .expect(200);
      expect(filtered.body.data.map((s: { id: string }) => s.id)).toEqual([created.id]);
      const active = await request(t.server)
        .get(`/v1/subscriptions?userId=${owner.user.id}&status=active`)
        .set(admin)
        .expect(200);
      expect(active.body.data).toEqual([]);
    });

    it('should list and get invoices with their payments', async () => {
      const user = await createUser(t.prisma);
      const created = await subscribe(t, user.auth, starter.id);
      const list = await request(t.server)
        .get(`/v1/invoices?subscriptionId=${created.id}&status=open`)
        .set(user.auth)
        .expect(200);
      expect(list.body.data).toHaveLength(1);
      const invoice = await request(t.server).get(`/v1/invoices/${created.invoiceId}`).set(user.auth).expect(200);
      expect(invoice.body).toMatchObject({
        id: created.invoiceId,
        amount: 900,
        status: 'open',
        payments: [{ id: created.invoicePaymentId, status: 'pending' }],
      });
      const paid = await request(t.server).get('/v1/invoices?status=paid').set(user.auth).expect(200);
      expect(paid.body.data).toEqual([]);
      await request(t.server).get('/v1/invoices?status=unknown').set(user.auth).expect(400);
    });
  });

  describe('POST /v1/subscriptions/:id/change-plan', () => {
    it('should bill an upgrade with an itemised proration invoice and keep the plan until it is paid', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, starter.id); // period 2026-03-10T12:00 → 2026-04-10T12:00 (31 days)
      t.clock.set('2026-03-26T00:00:00.000Z'); // 15.5 days = 1,339,200 s of 2,678,400 s left: exactly half
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: business.id })
        .expect(200);
      expect(res.body).toMatchObject({ planId: starter.id, pendingPlanId: business.id, status: 'active' });
      expect(res.body.latestInvoice).toMatchObject({
        kind: 'proration',
        status: 'open',
        amount: 4500, // 9900/2 − 900/2
        planId: business.id,
        periodStart: '2026-03-26T00:00:00.000Z',
        periodEnd: '2026-04-10T12:00:00.000Z',
      });
      expect(res.body.latestInvoice.lines).toEqual([
        expect.objectContaining({ type: 'credit', amount: -450, planId: starter.id }),
        expect.objectContaining({ type: 'charge', amount: 4950, planId: business.id }),
      ]);
      expect(res.body.pendingInvoiceId).toBe(res.body.latestInvoice.id);
      expect(
        await t.prisma.outboxMessage.count({ where: { aggregateId: res.body.latestInvoice.payments[0].id } }),
      ).toBe(1);

      const again = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: pro.id })
        .expect(409);
      expect(again.body.code).toBe('plan_change_pending');
    });

    it('should schedule a downgrade for the period end without an invoice', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, business.id);
      const invoicesBefore = await t.prisma.invoice.count({ where: { subscriptionId: sub.id } });
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: starter.id })
        .expect(200);
      expect(res.body).toMatchObject({ planId: business.id, scheduledPlanId: starter.id, pendingPlanId: null });
      expect(await t.prisma.invoice.count({ where: { subscriptionId: sub.id } })).toBe(invoicesBefore);
    });

    it('should refuse the same plan (409) and another currency (422)', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      const eur = await createPlan(t.prisma, { currency: 'EUR', amount: 5000 });
      const same = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: pro.id })
        .expect(409);
      expect(same.body.code).toBe('same_plan');
      const currency = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: eur.id })
        .expect(422);
      expect(currency.body.code).toBe('currency_mismatch');
    });

    it('should refuse to change an incomplete subscription', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, starter.id);
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: pro.id })
        .expect(409);
      expect(res.body.code).toBe('subscription_not_active');
    });

    it("should answer 404 for another user's subscription", async () => {
      const [owner, stranger] = [await createUser(t.prisma), await createUser(t.prisma)];
      const sub = await activeSubscription(t, owner.auth, starter.id);
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(stranger.auth)
        .send({ planId: pro.id })
        .expect(404);
    });
  });

  describe('cancel and resume', () => {
    it('should cancel at period end keeping access, then resume', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      const canceled = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(user.auth)
        .send({ reason: 'too_expensive' })
        .expect(200);
      expect(canceled.body).toMatchObject({
        status: 'active',
        cancelAtPeriodEnd: true,
        hasAccess: true,
        entitledUntil: '2026-04-10T12:00:00.000Z',
        cancellationReason: 'too_expensive',
        canceledAt: '2026-03-10T12:00:00.000Z',
      });
      const resumed = await request(t.server).post(`/v1/subscriptions/${sub.id}/resume`).set(user.auth).expect(200);
      expect(resumed.body).toMatchObject({
        status: 'active',
        cancelAtPeriodEnd: false,
        canceledAt: null,
        cancellationReason: null,
      });
      const again = await request(t.server).post(`/v1/subscriptions/${sub.id}/resume`).set(user.auth).expect(409);
      expect(again.body.code).toBe('no_pending_cancellation');
    });

    it('should cancel immediately: canceled, no access, open invoices void, history recorded, slot freed', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, pro.id);
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(user.auth)
        .set('X-Request-Id', 'req-cancel-1')
        .send({ atPeriodEnd: false })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'canceled', hasAccess: false, endedAt: '2026-03-10T12:00:00.000Z' });
      expect(res.body.latestInvoice.status).toBe('void');
      const stored = await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
      expect(stored.liveUserId).toBeNull();
      const history = await request(t.server).get(`/v1/subscriptions/${sub.id}/history`).set(user.auth).expect(200);
      expect(history.body.data.at(-1)).toMatchObject({
        fromStatus: 'incomplete',
        toStatus: 'canceled',
        reason: 'canceled_by_request',
        causeId: 'req-cancel-1',
      });

      const twice = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(user.auth)
        .send({ atPeriodEnd: false })
        .expect(409);
      expect(twice.body.code).toBe('invalid_state_transition');
      await request(t.server).post(`/v1/subscriptions/${sub.id}/resume`).set(user.auth).expect(409);
    });

    it('should refuse cancel-at-period-end for an incomplete subscription', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, pro.id);
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(user.auth)
        .send({})
        .expect(409);
      expect(res.body.code).toBe('subscription_not_active');
    });

    it('should reject a non-boolean atPeriodEnd', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, pro.id);
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(user.auth)
        .send({ atPeriodEnd: 'yes' })
        .expect(400);
    });
  });

  it('should not activate a canceled subscription when its payment succeeds late', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    await request(t.server)
      .post(`/v1/subscriptions/${sub.id}/cancel`)
      .set(user.auth)
      .send({ atPeriodEnd: false })
      .expect(200);
    const delivery = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    expect(delivery.status).toBe(200);
    const res = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200);
    expect(res.body.status).toBe('canceled');
    expect(res.body.latestInvoice.status).toBe('void');
  });
});
