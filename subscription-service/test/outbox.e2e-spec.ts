import request from 'supertest';
import { createPlan, createUser } from './support/factories';
import { FakePaymentGateway } from './support/fake-payment-gateway';
import { createTestApp, resetDatabase, resetDatabaseBeforeStart, TestApp } from './support/test-app';
import { drainOutbox } from './support/outbox';

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('payment outbox worker (e2e)', () => {
  describe('with the worker running', () => {
    let t: TestApp;
    const gateway = new FakePaymentGateway([503, 202]);

    beforeAll(async () => {
      const url = await gateway.start();
      // Empty the shared database BEFORE the app starts: its workers poll at once, and rows left by earlier
      // test files would otherwise be claimed and posted to this gateway (taking its scripted 503).
      await resetDatabaseBeforeStart();
      t = await createTestApp({
        PAYMENT_SERVICE_URL: url,
        WORKERS_ENABLED: 'true',
        OUTBOX_POLL_INTERVAL_MS: '50',
        PAYMENT_SERVICE_API_KEY: 'sk_payment_e2e',
      });
    });
    afterAll(async () => {
      await t.close();
      await gateway.stop();
    });

    it('should post the payment per contract, retry a 503 with backoff, then record the gateway payment', async () => {
      const user = await createUser(t.prisma);
      const plan = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
      const created = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .set('X-Request-Id', 'req-outbox-1')
        .send({ planId: plan.id, paymentMethod: 'pm_card_visa' })
        .expect(201);
      const invoice = created.body.latestInvoice;
      const invoicePaymentId = invoice.payments[0].id;

      // Kicked right after the commit: the first attempt gets a 503 and is rescheduled.
      await waitFor(() => gateway.requests.length >= 1);
      await waitFor(
        async () =>
          (await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } })).lastError !==
          null,
      );
      const rescheduled = await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } });
      expect(rescheduled).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: null });
      expect(rescheduled.lastError).toContain('HTTP 503');
      const delay = rescheduled.nextAttemptAt.getTime() - t.clock.now().getTime();
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1200);
      expect(gateway.requests).toHaveLength(1); // not retried before it is due

      t.clock.advance(1500);
      await waitFor(
        async () =>
          (await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } })).status ===
          'sent',
      );

      expect(gateway.requests).toHaveLength(2);
      for (const sent of gateway.requests) {
        expect(sent.method).toBe('POST');
        expect(sent.url).toBe('/v1/payments');
        expect(sent.headers.authorization).toBe('Bearer sk_payment_e2e');
        expect(sent.headers['idempotency-key']).toBe(`invoice-payment:${invoicePaymentId}`);
        expect(sent.headers['x-request-id']).toBe('req-outbox-1');
        expect(sent.headers['content-type']).toBe('application/json');
        expect(sent.body).toEqual({
          amount: 2900,
          currency: 'USD',
          merchantReference: invoice.id,
          customerReference: user.user.id,
          paymentMethod: 'pm_card_visa',
          description: 'Pro - initial invoice',
          metadata: { subscriptionId: created.body.id, invoicePaymentId },
        });
      }
      const payment = await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: invoicePaymentId } });
      expect(gateway.acceptedPaymentIds).toHaveLength(1);
      expect(payment).toMatchObject({ status: 'processing', gatewayPaymentId: gateway.acceptedPaymentIds[0] });
      const message = await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } });
      expect(message).toMatchObject({ attempts: 2, lastError: null });
      expect(message.sentAt).not.toBeNull();
    });
  });

  describe('with a gateway that rejects the request', () => {
    let t: TestApp;
    const gateway = new FakePaymentGateway([422]);

    beforeAll(async () => {
      const url = await gateway.start();
      t = await createTestApp({ PAYMENT_SERVICE_URL: url });
      await resetDatabase(t.prisma);
    });
    afterAll(async () => {
      await t.close();
      await gateway.stop();
    });

    it('should give up on a non-retryable 4xx: outbox failed, payment and invoice failed, no retry', async () => {
      const user = await createUser(t.prisma);
      const plan = await createPlan(t.prisma);
      const created = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .send({ planId: plan.id, paymentMethod: 'pm_card_visa' })
        .expect(201);
      const invoicePaymentId = created.body.latestInvoice.payments[0].id;

      await drainOutbox(t.app);
      t.clock.advance(10 * 60 * 1000);
      await drainOutbox(t.app);

      expect(gateway.requests).toHaveLength(1);
      const message = await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } });
      expect(message.status).toBe('failed');
      expect(message.lastError).toContain('HTTP 422');
      const payment = await t.prisma.invoicePayment.findUniqueOrThrow({
        where: { id: invoicePaymentId },
        include: { invoice: true },
      });
      expect(payment).toMatchObject({ status: 'failed', failureCode: 'payment_request_rejected' });
      expect(payment.invoice.status).toBe('failed');
      expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: created.body.id } })).status).toBe(
        'incomplete',
      );
    });
  });

  describe('when the lease is lost while the request is in flight', () => {
    let t: TestApp;
    const gateway = new FakePaymentGateway([202]);
    const otherLease = new Date('2026-03-10T12:05:00.000Z');

    beforeAll(async () => {
      const url = await gateway.start();
      t = await createTestApp({ PAYMENT_SERVICE_URL: url });
      await resetDatabase(t.prisma);
    });
    afterEach(() => {
      gateway.beforeAnswer = null;
    });
    afterAll(async () => {
      await t.close();
      await gateway.stop();
    });

    it.each([
      ['an accepted (202)', 202],
      ['a retryable (503)', 503],
      ['a rejected (422)', 422],
    ])(
      'should discard %s result: the row, the payment and the invoice stay as the new lease holder left them',
      async (_case, status) => {
        gateway.respondWith(status);
        const user = await createUser(t.prisma);
        const plan = await createPlan(t.prisma);
        const created = await request(t.server)
          .post('/v1/subscriptions')
          .set(user.auth)
          .send({ planId: plan.id, paymentMethod: 'pm_card_visa' })
          .expect(201);
        const invoicePaymentId = created.body.latestInvoice.payments[0].id;
        const before = await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } });
        // While the request is in flight the lease runs out and another worker claims the row (new lease).
        gateway.beforeAnswer = async () => {
          await t.prisma.outboxMessage.updateMany({
            where: { aggregateId: invoicePaymentId },
            data: { lockedUntil: otherLease, attempts: { increment: 1 } },
          });
        };

        await drainOutbox(t.app);

        expect(gateway.requests.filter((r) => r.body.metadata.invoicePaymentId === invoicePaymentId)).toHaveLength(1);
        const message = await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } });
        expect(message).toMatchObject({
          status: 'pending',
          lockedUntil: otherLease,
          attempts: 2,
          lastError: null,
          sentAt: null,
          nextAttemptAt: before.nextAttemptAt,
        });
        const payment = await t.prisma.invoicePayment.findUniqueOrThrow({
          where: { id: invoicePaymentId },
          include: { invoice: true },
        });
        expect(payment).toMatchObject({ status: 'pending', gatewayPaymentId: null, failureCode: null });
        expect(payment.invoice.status).toBe('open');
      },
    );

    it('should record the result when it still holds its lease (control)', async () => {
      gateway.respondWith(202);
      const user = await createUser(t.prisma);
      const plan = await createPlan(t.prisma);
      const created = await request(t.server)
        .post('/v1/subscriptions')
        .set(user.auth)
        .send({ planId: plan.id, paymentMethod: 'pm_card_visa' })
        .expect(201);
      const invoicePaymentId = created.body.latestInvoice.payments[0].id;
      await drainOutbox(t.app);
      expect(await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } })).toMatchObject(
        { status: 'sent', lockedUntil: null, attempts: 1 },
      );
      expect((await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: invoicePaymentId } })).status).toBe(
        'processing',
      );
    });
  });
});
