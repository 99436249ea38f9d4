// Cross-service flow: both real services, real HTTP, real databases. Nothing is mocked.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../scripts/lib/stack.mjs';
import { startStack } from './harness.mjs';

describe('subscribe → pay → webhook → subscription, across both services', () => {
  let stack;
  let admin;
  let basicPlan;
  let premiumPlan;

  before(async () => {
    stack = await startStack({ name: 'flow' });
    admin = stack.subscriptionApi();
    basicPlan = await createPlan('basic', 1000);
    premiumPlan = await createPlan('premium', 3000);
  });

  after(async () => {
    await stack?.stop();
  });

  async function createPlan(name, amount) {
    const res = await admin.post('/v1/plans', {
      code: `${name}-${randomUUID().slice(0, 8)}`,
      name,
      description: `${name} plan`,
      amount,
      currency: 'USD',
      interval: 'month',
      intervalCount: 1,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  async function newCustomer() {
    const res = await admin.post('/v1/users', { email: `xs-${randomUUID()}@example.com`, name: 'Cross Service' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.apiKey, /^sk_/);
    return { user: res.body, api: stack.subscriptionApi(res.body.apiKey) };
  }

  async function subscribe(api, planId, paymentMethod, requestId = randomUUID()) {
    const res = await api.post('/v1/subscriptions', { planId, paymentMethod }, { 'x-request-id': requestId });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'incomplete');
    assert.ok(res.body.latestInvoice?.id, 'the subscription carries its first invoice');
    return res.body;
  }

  async function paymentFor(invoiceId) {
    const list = await stack.paymentApi.get(`/v1/payments?merchantReference=${invoiceId}`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    if (list.body.data.length !== 1) return undefined;
    const payment = await stack.paymentApi.get(`/v1/payments/${list.body.data[0].id}`);
    return payment.body;
  }

  async function settledSubscription(api, id, status) {
    return eventually(
      async () => {
        const res = await api.get(`/v1/subscriptions/${id}`);
        return res.body.status === status ? res.body : undefined;
      },
      { what: `subscription ${id} to become ${status}` },
    );
  }

  it('should activate a subscription once the payment service reports the payment succeeded', async () => {
    const { user, api } = await newCustomer();
    const requestId = `xs-flow-${randomUUID()}`;
    const created = await subscribe(api, basicPlan.id, 'pm_card_visa', requestId);
    assert.equal(created.hasAccess, false, 'no access before the first payment');

    const active = await settledSubscription(api, created.id, 'active');
    assert.equal(active.hasAccess, true);

    const invoice = await api.get(`/v1/invoices/${created.latestInvoice.id}`);
    assert.equal(invoice.body.status, 'paid');
    assert.equal(invoice.body.amount, 1000);

    const payment = await paymentFor(created.latestInvoice.id);
    assert.equal(payment.status, 'succeeded');
    assert.equal(payment.amount, 1000);
    assert.equal(payment.currency, 'USD');
    assert.equal(payment.customerReference, user.id);
    assert.equal(payment.attempts.length, 1);

    const events = await stack.paymentApi.get(`/v1/events?paymentId=${payment.id}`);
    assert.equal(events.body.data.length, 1);
    assert.equal(events.body.data[0].type, 'payment.succeeded');
    const history = await api.get(`/v1/subscriptions/${created.id}/history`);
    const activation = history.body.data.find((change) => change.toStatus === 'active');
    assert.ok(activation, JSON.stringify(history.body));
    assert.equal(activation.fromStatus, 'incomplete');
    assert.equal(activation.causeId, events.body.data[0].id, 'the activation names the webhook event that caused it');

    // The request id travelled subscription → payment → webhook.
    await eventually(() => readFileSync(join(stack.logDir, 'payment-service.log'), 'utf8').includes(requestId), {
      what: 'the payment service to log the originating request id',
    });
  });

  it('should leave the subscription incomplete and the invoice failed when the card is declined', async () => {
    const { api } = await newCustomer();
    const created = await subscribe(api, basicPlan.id, 'pm_card_declined');

    const invoice = await eventually(
      async () => {
        const res = await api.get(`/v1/invoices/${created.latestInvoice.id}`);
        return res.body.status === 'failed' ? res.body : undefined;
      },
      { what: 'the invoice to fail' },
    );
    assert.equal(invoice.failureCode, 'card_declined');

    const subscription = await api.get(`/v1/subscriptions/${created.id}`);
    assert.equal(subscription.body.status, 'incomplete');
    assert.equal(subscription.body.hasAccess, false);

    const payment = await paymentFor(created.latestInvoice.id);
    assert.equal(payment.status, 'failed');
    assert.equal(payment.failureCode, 'card_declined');
  });

  it('should deliver a webhook on retry after the receiver refused the first delivery', async () => {
    const { api } = await newCustomer();
    stack.relay.refuseNext = 1;
    const seenBefore = stack.relay.seen.length;
    const created = await subscribe(api, basicPlan.id, 'pm_card_visa');

    await settledSubscription(api, created.id, 'active');
    const deliveries = stack.relay.seen.slice(seenBefore);
    assert.equal(deliveries.length, 2, JSON.stringify(deliveries));
    assert.equal(deliveries[0].status, 503);
    assert.equal(deliveries[0].refused, true);
    assert.equal(deliveries[1].status, 200);
    assert.equal(deliveries[0].webhookId, deliveries[1].webhookId, 'the retry is the same event');

    const payment = await paymentFor(created.latestInvoice.id);
    const event = await stack.paymentApi.get(`/v1/events/${deliveries[0].webhookId}`);
    assert.equal(event.status, 200);
    assert.equal(event.body.paymentId ?? event.body.data?.object?.id, payment.id);
    const attempts = event.body.deliveries.flatMap((delivery) => delivery.attempts);
    assert.deepEqual(
      attempts.map((attempt) => attempt.statusCode),
      [503, 200],
    );
  });

  it('should switch plan only after the prorated upgrade is paid, and schedule a downgrade without charging', async () => {
    const { api } = await newCustomer();
    const created = await subscribe(api, basicPlan.id, 'pm_card_visa');
    await settledSubscription(api, created.id, 'active');

    const upgrade = await api.post(`/v1/subscriptions/${created.id}/change-plan`, { planId: premiumPlan.id });
    assert.equal(upgrade.status, 200, JSON.stringify(upgrade.body));
    assert.equal(upgrade.body.planId, basicPlan.id, 'still on the old plan until the proration is paid');
    assert.equal(upgrade.body.pendingPlanId, premiumPlan.id);

    const upgraded = await eventually(
      async () => {
        const res = await api.get(`/v1/subscriptions/${created.id}`);
        return res.body.planId === premiumPlan.id ? res.body : undefined;
      },
      { what: 'the upgrade to apply' },
    );
    assert.equal(upgraded.pendingPlanId, null);
    const invoices = await api.get(`/v1/invoices?subscriptionId=${created.id}`);
    const proration = invoices.body.data.find((inv) => inv.kind === 'proration');
    assert.equal(proration.status, 'paid');
    // A full month remains (minus the seconds this test took): 3000 - 1000 for almost the whole period.
    assert.ok(proration.amount > 1990 && proration.amount <= 2000, `proration ${proration.amount}`);
    const payment = await paymentFor(proration.id);
    assert.equal(payment.amount, proration.amount);

    const downgrade = await api.post(`/v1/subscriptions/${created.id}/change-plan`, { planId: basicPlan.id });
    assert.equal(downgrade.status, 200, JSON.stringify(downgrade.body));
    assert.equal(downgrade.body.planId, premiumPlan.id);
    assert.equal(downgrade.body.scheduledPlanId, basicPlan.id);
    const after = await api.get(`/v1/invoices?subscriptionId=${created.id}`);
    assert.equal(after.body.data.length, 2, 'a downgrade creates no invoice');
  });

  async function advanceClockTo(subscriptionId, instant) {
    const to = new Date(new Date(instant).getTime() + 1000).toISOString();
    const res = await admin.post(`/v1/subscriptions/${subscriptionId}/test-clock/advance`, { to });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  it('should renew through the payment service when the period ends, once', async () => {
    const { api } = await newCustomer();
    const created = await subscribe(api, basicPlan.id, 'pm_card_visa');
    const active = await settledSubscription(api, created.id, 'active');

    const renewing = await advanceClockTo(created.id, active.currentPeriodEnd);
    assert.ok(renewing.renewalInvoiceId, 'a renewal invoice is issued at the period end');
    const renewed = await eventually(
      async () => {
        const res = await api.get(`/v1/subscriptions/${created.id}`);
        return res.body.renewalInvoiceId === null && res.body.currentPeriodStart === active.currentPeriodEnd
          ? res.body
          : undefined;
      },
      { what: 'the renewal to be paid' },
    );
    assert.equal(renewed.status, 'active');

    const renewal = await paymentFor(renewing.renewalInvoiceId);
    assert.equal(renewal.status, 'succeeded');
    assert.equal(renewal.amount, basicPlan.amount);
    const invoices = await api.get(`/v1/invoices?subscriptionId=${created.id}`);
    assert.deepEqual(
      invoices.body.data.map((invoice) => `${invoice.kind}:${invoice.status}`),
      ['renewal:paid', 'initial:paid'],
      'exactly one renewal invoice',
    );
  });

  it('should go past_due when a renewal is declined and recover at once after a card update (the retry on a payment-method update)', async () => {
    const { api } = await newCustomer();
    const created = await subscribe(api, basicPlan.id, 'pm_card_visa');
    const active = await settledSubscription(api, created.id, 'active');

    const updated = await api.patch(`/v1/subscriptions/${created.id}`, { paymentMethod: 'pm_card_insufficient_funds' });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    const renewing = await advanceClockTo(created.id, active.currentPeriodEnd);
    const pastDue = await settledSubscription(api, created.id, 'past_due');
    assert.ok(pastDue.nextPaymentRetryAt, 'a dunning retry is scheduled');
    assert.equal(pastDue.hasAccess, true, 'access continues during the dunning grace period');
    const declined = await paymentFor(renewing.renewalInvoiceId);
    assert.equal(declined.failureCode, 'insufficient_funds');

    // The update itself charges the open renewal invoice with the new card: no clock advance, no dunning retry needed.
    assert.equal((await api.patch(`/v1/subscriptions/${created.id}`, { paymentMethod: 'pm_card_visa' })).status, 200);
    const recovered = await settledSubscription(api, created.id, 'active');
    assert.equal(recovered.currentPeriodStart, active.currentPeriodEnd, 'the paid renewal advanced the period');

    const attempts = await stack.paymentApi.get(`/v1/payments?merchantReference=${renewing.renewalInvoiceId}`);
    assert.deepEqual(
      attempts.body.data.map((payment) => `${payment.paymentMethod}:${payment.status}`),
      ['pm_card_visa:succeeded', 'pm_card_insufficient_funds:failed'],
      'one declined charge, then one successful charge with the new card, on the same invoice',
    );
    const history = await api.get(`/v1/subscriptions/${created.id}/history`);
    assert.deepEqual(
      history.body.data.map((change) => change.toStatus),
      ['incomplete', 'active', 'past_due', 'active'],
    );
  });

  it('should cancel at period end, keep access, and resume', async () => {
    const { api } = await newCustomer();
    const created = await subscribe(api, basicPlan.id, 'pm_card_visa');
    await settledSubscription(api, created.id, 'active');

    const canceled = await api.post(`/v1/subscriptions/${created.id}/cancel`, { atPeriodEnd: true });
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.equal(canceled.body.status, 'active');
    assert.equal(canceled.body.cancelAtPeriodEnd, true);
    assert.equal(canceled.body.hasAccess, true);

    const resumed = await api.post(`/v1/subscriptions/${created.id}/resume`, {});
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body.cancelAtPeriodEnd, false);

    const now = await api.post(`/v1/subscriptions/${created.id}/cancel`, { atPeriodEnd: false });
    assert.equal(now.status, 200, JSON.stringify(now.body));
    assert.equal(now.body.status, 'canceled');
    assert.equal(now.body.hasAccess, false);
  });

  it('should refund in full a payment that succeeds after the subscription was canceled now', async () => {
    const { api } = await newCustomer();
    // Attempt 1 fails retryably at the gateway, attempt 2 succeeds about 2 s later.
    const sub = await subscribe(api, premiumPlan.id, 'pm_card_processing_error');
    const invoiceId = sub.latestInvoice.id;
    const gatewayPayment = await eventually(async () => paymentFor(invoiceId), {
      what: 'the gateway payment to exist',
    });
    assert.equal(gatewayPayment.status, 'processing');

    const canceled = await api.post(`/v1/subscriptions/${sub.id}/cancel`, { atPeriodEnd: false });
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.equal(canceled.body.latestInvoice.status, 'void');

    const invoice = await eventually(
      async () => {
        const res = await api.get(`/v1/invoices/${invoiceId}`);
        return res.body.refunds?.[0]?.status === 'succeeded' ? res.body : undefined;
      },
      { what: 'the refund of the voided invoice to succeed' },
    );
    assert.equal(invoice.status, 'void');
    assert.equal(invoice.amountRefunded, 3000);
    assert.equal(invoice.payments[0].status, 'succeeded');
    assert.deepEqual(
      [invoice.refunds.length, invoice.refunds[0].amount, invoice.refunds[0].reason, invoice.refunds[0].explanation],
      [1, 3000, 'no_obligation', 'invoice_void'],
    );
    const atGateway = await stack.paymentApi.get(`/v1/payments/${gatewayPayment.id}`);
    assert.equal(atGateway.body.status, 'succeeded');
    assert.equal(atGateway.body.amountRefunded, 3000);
    assert.deepEqual(
      atGateway.body.refunds.map((r) => [r.id, r.amount, r.status]),
      [[invoice.refunds[0].gatewayRefundId, 3000, 'succeeded']],
    );
  });
});
