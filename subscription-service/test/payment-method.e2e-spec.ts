import request from 'supertest';
import { BillingRunService } from '../src/billing/billing-run.service';
import { Plan } from '../src/generated/prisma/client';
import { PaymentInitiatePayload } from '../src/payments-outbox/messages/payment-initiate.message';
import { createPlan, createUser } from './support/factories';
import { FakePaymentGateway } from './support/fake-payment-gateway';
import { activeSubscription, deliverPaymentEvent, subscribe } from './support/flows';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';
import { drainOutbox } from './support/outbox';

const START = '2026-03-10T12:00:00.000Z';
const PERIOD_END = '2026-04-10T12:00:00.000Z';
const FIRST_RETRY = '2026-04-11T12:00:00.000Z';

describe('PATCH /v1/subscriptions/{id} — default payment method (e2e)', () => {
  let t: TestApp;
  let pro: Plan;
  const gateway = new FakePaymentGateway([202]);
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const patch = (id: string, auth: Record<string, string>, body: object) =>
    request(t.server).patch(`/v1/subscriptions/${id}`).set(auth).send(body);
  const storedMethod = async (id: string) =>
    (await t.prisma.subscription.findUniqueOrThrow({ where: { id } })).paymentMethod;

  beforeAll(async () => {
    const url = await gateway.start();
    // The retry at once on a payment-method update is tested in pay-now.e2e-spec.ts; here it is off, as it can be configured.
    t = await createTestApp({ PAYMENT_SERVICE_URL: url, RETRY_ON_PAYMENT_METHOD_UPDATE: 'false' });
    await resetDatabase(t.prisma);
    pro = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
  });
  beforeEach(() => t.clock.set(START));
  afterAll(async () => {
    await t.close();
    await gateway.stop();
  });

  it("should update the owner's payment method and persist it", async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, pro.id);
    const res = await patch(sub.id, user.auth, { paymentMethod: 'pm_card_mastercard' }).expect(200);
    expect(res.body).toMatchObject({ id: sub.id, status: 'active', paymentMethod: 'pm_card_mastercard' });
    expect(await storedMethod(sub.id)).toBe('pm_card_mastercard');
    expect(
      (await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200)).body.paymentMethod,
    ).toBe('pm_card_mastercard');
  });

  it('should let an admin update any subscription, also an incomplete one', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id, 'pm_card_declined');
    const res = await patch(sub.id, admin, { paymentMethod: 'pm_card_visa' }).expect(200);
    expect(res.body).toMatchObject({ status: 'incomplete', paymentMethod: 'pm_card_visa' });
    expect(await storedMethod(sub.id)).toBe('pm_card_visa');
  });

  it("should answer 404 for another user's subscription and leave it unchanged", async () => {
    const owner = await createUser(t.prisma, 'owner');
    const other = await createUser(t.prisma, 'other');
    const sub = await activeSubscription(t, owner.auth, pro.id);
    const res = await patch(sub.id, other.auth, { paymentMethod: 'pm_card_mastercard' }).expect(404);
    expect(res.body.code).toBe('not_found');
    expect(await storedMethod(sub.id)).toBe('pm_card_visa');
  });

  it.each([
    [
      'an unknown field',
      { paymentMethod: 'pm_card_mastercard', planId: '00000000-0000-4000-8000-000000000000' },
      'planId',
    ],
    ['a malformed payment method', { paymentMethod: 'card_visa' }, 'paymentMethod'],
    ['no payment method', {}, 'paymentMethod'],
  ])('should answer 400 validation_failed for %s and change nothing', async (_case, body, field) => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, pro.id);
    const res = await patch(sub.id, user.auth, body).expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await storedMethod(sub.id)).toBe('pm_card_visa');
  });

  it('should refuse an ended subscription with 409 subscription_ended (canceled and incomplete_expired)', async () => {
    const user = await createUser(t.prisma);
    const canceled = await activeSubscription(t, user.auth, pro.id);
    await request(t.server)
      .post(`/v1/subscriptions/${canceled.id}/cancel`)
      .set(user.auth)
      .send({ atPeriodEnd: false })
      .expect(200);
    const res = await patch(canceled.id, user.auth, { paymentMethod: 'pm_card_mastercard' }).expect(409);
    expect(res.body).toMatchObject({ code: 'subscription_ended', status: 409 });
    expect(await storedMethod(canceled.id)).toBe('pm_card_visa');

    const late = await subscribe(t, user.auth, pro.id);
    t.clock.set('2026-03-11T11:00:00.000Z');
    expect(await t.app.get(BillingRunService).runDueFor(late.id)).toBe('expire_incomplete');
    const expired = await patch(late.id, admin, { paymentMethod: 'pm_card_mastercard' }).expect(409);
    expect(expired.body.code).toBe('subscription_ended');
  });

  it('should charge the renewal and the next dunning retry with the method set at that time, with RETRY_ON_PAYMENT_METHOD_UPDATE=false (declined → past_due → new card → active)', async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, pro.id);
    const outboxPayload = async (invoicePaymentId: string) =>
      (await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: invoicePaymentId } }))
        .payload as unknown as PaymentInitiatePayload;
    const postedFor = (invoicePaymentId: string) =>
      gateway.requests.filter((r) => r.body.metadata?.invoicePaymentId === invoicePaymentId);

    // The card on file goes bad before the renewal.
    await patch(sub.id, user.auth, { paymentMethod: 'pm_card_declined' }).expect(200);
    t.clock.set(PERIOD_END);
    expect(await t.app.get(BillingRunService).runDueFor(sub.id)).toBe('renew');
    await drainOutbox(t.app);
    const renewal = await t.prisma.invoice.findFirstOrThrow({
      where: { subscriptionId: sub.id, kind: 'renewal' },
      include: { payments: true },
    });
    const first = renewal.payments[0];
    expect(first.paymentMethod).toBe('pm_card_declined');
    expect((await outboxPayload(first.id)).paymentMethod).toBe('pm_card_declined');
    expect(postedFor(first.id).map((r) => r.body.paymentMethod)).toEqual(['pm_card_declined']);

    const failed = await deliverPaymentEvent(t, {
      type: 'payment.failed',
      invoiceId: renewal.id,
      invoicePaymentId: first.id,
      failureCode: 'card_declined',
    });
    expect(failed.status).toBe(200);
    const pastDue = (await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200)).body;
    expect(pastDue).toMatchObject({ status: 'past_due', nextPaymentRetryAt: FIRST_RETRY });

    t.clock.advance(60_000);
    const updated = await patch(sub.id, user.auth, { paymentMethod: 'pm_card_visa' }).expect(200);
    expect(updated.body).toMatchObject({
      status: 'past_due',
      paymentMethod: 'pm_card_visa',
      nextPaymentRetryAt: FIRST_RETRY,
    });
    expect(await t.prisma.invoicePayment.count({ where: { invoiceId: renewal.id } })).toBe(1); // nothing charged by the update itself

    t.clock.set(FIRST_RETRY);
    expect(await t.app.get(BillingRunService).runDueFor(sub.id)).toBe('retry_renewal_payment');
    await drainOutbox(t.app);
    const payments = await t.prisma.invoicePayment.findMany({
      where: { invoiceId: renewal.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(payments.map((p) => [p.status, p.paymentMethod])).toEqual([
      ['failed', 'pm_card_declined'],
      ['processing', 'pm_card_visa'],
    ]);
    const retry = payments[1];
    expect((await outboxPayload(retry.id)).paymentMethod).toBe('pm_card_visa');
    expect(postedFor(retry.id).map((r) => r.body.paymentMethod)).toEqual(['pm_card_visa']);

    const succeeded = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: renewal.id,
      invoicePaymentId: retry.id,
      sequence: 1,
    });
    expect(succeeded.status).toBe(200);
    expect((await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200)).body).toMatchObject({
      status: 'active',
      paymentMethod: 'pm_card_visa',
      currentPeriodStart: PERIOD_END,
      nextPaymentRetryAt: null,
      renewalInvoiceId: null,
    });
  });

  it('should document the endpoint in the OpenAPI document with a working example', async () => {
    const doc = (await request(t.server).get('/docs-json').expect(200)).body;
    const operation = doc.paths['/v1/subscriptions/{id}'].patch;
    expect(operation.requestBody.content['application/json'].examples).toEqual({
      'switch to a working card': { value: { paymentMethod: 'pm_card_visa' } },
    });
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(doc.components.schemas.UpdateSubscriptionRequest.required).toEqual(['paymentMethod']);
  });
});
