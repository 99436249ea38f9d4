import request from 'supertest';
import { BillingRunService } from '../src/billing/billing-run.service';
import { Plan } from '../src/generated/prisma/client';
import { createPlan, createUser } from './support/factories';
import { FakePaymentGateway } from './support/fake-payment-gateway';
import { activeSubscription, deliverPaymentEvent } from './support/flows';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';

const START = '2026-03-10T12:00:00.000Z';
const PERIOD_END = '2026-04-10T12:00:00.000Z';
const NEXT_PERIOD_END = '2026-05-10T12:00:00.000Z';

describe('plan changes: when they take effect (e2e)', () => {
  let t: TestApp;
  let starter: Plan;
  let proMonthly: Plan;
  let proYearly: Plan;
  let business: Plan;
  const gateway = new FakePaymentGateway([202]);
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  const preview = (id: string, auth: Record<string, string>, query: Record<string, string>) =>
    request(t.server).get(`/v1/subscriptions/${id}/change-plan/preview`).query(query).set(auth);
  const change = (id: string, auth: Record<string, string>, body: object) =>
    request(t.server).post(`/v1/subscriptions/${id}/change-plan`).set(auth).send(body);
  const invoicesOf = (subscriptionId: string) =>
    t.prisma.invoice.findMany({ where: { subscriptionId }, orderBy: { createdAt: 'asc' } });

  beforeAll(async () => {
    const url = await gateway.start();
    t = await createTestApp({ PAYMENT_SERVICE_URL: url });
    await resetDatabase(t.prisma);
    starter = await createPlan(t.prisma, { name: 'Starter', amount: 900 });
    proMonthly = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
    proYearly = await createPlan(t.prisma, { name: 'Pro yearly', amount: 29000, interval: 'year' });
    business = await createPlan(t.prisma, { name: 'Business', amount: 9900 });
  });
  beforeEach(() => t.clock.set(START));
  afterAll(async () => {
    await t.close();
    await gateway.stop();
  });

  it('should schedule pro-yearly → pro-monthly for the period end instead of 422, in the preview and the change alike', async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, proYearly.id); // 2026-03-10 → 2027-03-10
    t.clock.set('2026-04-10T12:00:00.000Z'); // one month in: ~11 months of Pro yearly (~26,600) unused > 2900

    const previewed = await preview(sub.id, user.auth, { planId: proMonthly.id }).expect(200);
    expect(previewed.body).toEqual({
      object: 'plan_change_preview',
      subscriptionId: sub.id,
      fromPlanId: proYearly.id,
      toPlanId: proMonthly.id,
      direction: 'upgrade',
      effective: 'period_end',
      effectiveAt: '2027-03-10T12:00:00.000Z',
      reason: 'credit_exceeds_charge',
      currency: 'USD',
      lines: [],
      total: 0,
      appliesAt: '2027-03-10T12:00:00.000Z',
      periodStart: '2027-03-10T12:00:00.000Z',
      periodEnd: '2027-04-10T12:00:00.000Z',
      resetsPeriod: false,
    });

    const changed = await change(sub.id, user.auth, { planId: proMonthly.id }).expect(200);
    expect(changed.body).toMatchObject({
      status: 'active',
      planId: proYearly.id,
      scheduledPlanId: proMonthly.id,
      pendingPlanId: null,
      planChange: {
        direction: 'upgrade',
        fromPlanId: proYearly.id,
        toPlanId: proMonthly.id,
        effective: 'period_end',
        effectiveAt: '2027-03-10T12:00:00.000Z',
        reason: 'credit_exceeds_charge',
      },
    });
    const { effective, effectiveAt, reason } = previewed.body;
    expect(changed.body.planChange).toMatchObject({ effective, effectiveAt, reason });
    expect(await invoicesOf(sub.id)).toHaveLength(1); // nothing billed now

    // At the year's end the renewal bills Pro monthly and the next period is a month.
    t.clock.set('2027-03-10T12:00:00.000Z');
    expect(await t.app.get(BillingRunService).runDueFor(sub.id)).toBe('renew');
    const renewal = (await invoicesOf(sub.id)).at(-1);
    expect(renewal).toMatchObject({
      kind: 'renewal',
      planId: proMonthly.id,
      amount: 2900,
      periodEnd: new Date('2027-04-10T12:00:00.000Z'),
    });
  });

  it('should answer the same with effective=now asked for explicitly', async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, proYearly.id);
    const previewed = await preview(sub.id, user.auth, { planId: proMonthly.id, effective: 'now' }).expect(200);
    expect(previewed.body).toMatchObject({ effective: 'period_end', reason: 'credit_exceeds_charge' });
    const changed = await change(sub.id, user.auth, { planId: proMonthly.id, effective: 'now' }).expect(200);
    expect(changed.body.planChange).toMatchObject({ effective: 'period_end', reason: 'credit_exceeds_charge' });
  });

  it('should schedule an upgrade for the period end when asked: nothing billed now, the renewal bills the new plan', async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, starter.id);
    const previewed = await preview(sub.id, user.auth, { planId: business.id, effective: 'period_end' }).expect(200);
    expect(previewed.body).toMatchObject({
      direction: 'upgrade',
      effective: 'period_end',
      effectiveAt: PERIOD_END,
      reason: 'requested',
      total: 0,
      lines: [],
    });

    const changed = await change(sub.id, user.auth, { planId: business.id, effective: 'period_end' }).expect(200);
    expect(changed.body).toMatchObject({
      planId: starter.id,
      scheduledPlanId: business.id,
      pendingPlanId: null,
      planChange: { effective: 'period_end', reason: 'requested' },
    });
    expect(await invoicesOf(sub.id)).toHaveLength(1);

    t.clock.set(PERIOD_END);
    await t.app.get(BillingRunService).runDueFor(sub.id);
    const renewal = (await invoicesOf(sub.id)).at(-1);
    expect(renewal).toMatchObject({ kind: 'renewal', planId: business.id, amount: 9900 });
    const payment = await t.prisma.invoicePayment.findFirstOrThrow({ where: { invoiceId: renewal?.id } });
    await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: renewal?.id as string,
      invoicePaymentId: payment.id,
    });
    expect((await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(admin).expect(200)).body).toMatchObject({
      planId: business.id,
      currentPeriodEnd: NEXT_PERIOD_END,
    });
  });

  it('should schedule an immediate downgrade on the same interval for the period end (no customer balance)', async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, business.id);
    t.clock.set('2026-03-20T12:00:00.000Z');
    const previewed = await preview(sub.id, user.auth, { planId: starter.id, effective: 'now' }).expect(200);
    expect(previewed.body).toMatchObject({
      direction: 'downgrade',
      effective: 'period_end',
      effectiveAt: PERIOD_END,
      reason: 'credit_exceeds_charge',
      total: 0,
    });
    const changed = await change(sub.id, user.auth, { planId: starter.id, effective: 'now' }).expect(200);
    expect(changed.body).toMatchObject({
      planId: business.id,
      scheduledPlanId: starter.id,
      planChange: { effective: 'period_end', reason: 'credit_exceeds_charge' },
    });
  });

  it('should keep the defaults: an upgrade now, a downgrade at the period end', async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, proMonthly.id);
    const down = await change(sub.id, user.auth, { planId: starter.id }).expect(200);
    expect(down.body).toMatchObject({
      scheduledPlanId: starter.id,
      planChange: { direction: 'downgrade', effective: 'period_end', effectiveAt: PERIOD_END, reason: 'default' },
    });
    t.clock.set('2026-03-11T12:00:00.000Z');
    const up = await change(sub.id, user.auth, { planId: business.id }).expect(200);
    expect(up.body).toMatchObject({
      pendingPlanId: business.id,
      scheduledPlanId: null,
      latestInvoice: { kind: 'proration', status: 'open' },
      planChange: {
        direction: 'upgrade',
        effective: 'now',
        effectiveAt: '2026-03-11T12:00:00.000Z',
        reason: 'default',
      },
    });
  });

  it('should refuse an unknown effective value with 400', async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, starter.id);
    const res = await change(sub.id, user.auth, { planId: proMonthly.id, effective: 'tomorrow' }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('effective');
    await preview(sub.id, user.auth, { planId: proMonthly.id, effective: 'later' }).expect(400);
  });
});
