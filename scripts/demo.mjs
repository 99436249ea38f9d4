// Scripted demo (`npm run demo`): walks the whole flow against running services with API keys,
// including a renewal and a dunning recovery through the subscription test clock
// (TEST_CLOCK_ENABLED=true, the default of `npm start` and docker-compose),
// printing every request and response, and exits non-zero the moment anything does not behave
// as README.md says. Works against `npm start` and `docker-compose up` alike.
//   SUBSCRIPTION_URL (http://localhost:3000)  PAYMENT_URL (http://localhost:3001)
//   ADMIN_API_KEY (else the first of ADMIN_API_KEYS, as `npm start` reads it; sk_admin_demo_subscription_0001)
//   PAYMENT_API_KEY (sk_payment_demo_0001)
import { randomUUID } from 'node:crypto';

const SUBSCRIPTION_URL = process.env.SUBSCRIPTION_URL ?? 'http://localhost:3000';
const PAYMENT_URL = process.env.PAYMENT_URL ?? 'http://localhost:3001';
const ADMIN_API_KEY =
  process.env.ADMIN_API_KEY ?? process.env.ADMIN_API_KEYS?.split(',')[0]?.trim() ?? 'sk_admin_demo_subscription_0001';
const PAYMENT_API_KEY = process.env.PAYMENT_API_KEY ?? 'sk_payment_demo_0001';

const color = process.stdout.isTTY ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_code, text) => text;
let stepNumber = 0;

function step(title) {
  stepNumber += 1;
  console.log(`\n${color('1;36', `== ${stepNumber}. ${title}`)}`);
}

function fail(message) {
  console.error(color('1;31', `\nDEMO FAILED: ${message}`));
  process.exit(1);
}

function expect(condition, message) {
  if (!condition) fail(message);
  console.log(color('32', `   ✓ ${message}`));
}

async function call(baseUrl, apiKey, method, path, body, { quiet = false } = {}) {
  const headers = { authorization: `Bearer ${apiKey}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  // Safe retries: every POST carries a fresh Idempotency-Key, as an integrating client should.
  if (method === 'POST') headers['idempotency-key'] = randomUUID();
  if (!quiet) {
    console.log(color('33', `-> ${method} ${baseUrl}${path}`));
    if (body !== undefined) console.log(indent(JSON.stringify(body, null, 2)));
  }
  let res;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    fail(
      `${method} ${baseUrl}${path} could not connect (${error.cause?.code ?? error.message}); are the services running?`,
    );
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!quiet) {
    console.log(color('33', `<- ${res.status}`));
    if (json !== undefined) console.log(indent(JSON.stringify(json, null, 2)));
  }
  return { status: res.status, body: json };
}

const indent = (text) =>
  text
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');
const subscriptions = (key) => ({
  get: (path, opts) => call(SUBSCRIPTION_URL, key, 'GET', path, undefined, opts),
  post: (path, body, opts) => call(SUBSCRIPTION_URL, key, 'POST', path, body, opts),
  patch: (path, body, opts) => call(SUBSCRIPTION_URL, key, 'PATCH', path, body, opts),
});
const secondAfter = (iso) => new Date(new Date(iso).getTime() + 1000).toISOString();
const payments = {
  get: (path, opts) => call(PAYMENT_URL, PAYMENT_API_KEY, 'GET', path, undefined, opts),
};

async function waitFor(what, probe, timeoutMs = 20_000) {
  console.log(`   … waiting for ${what}`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`timed out waiting for ${what}`);
}

const admin = subscriptions(ADMIN_API_KEY);

step('List the plans (any API key)');
const plans = await admin.get('/v1/plans?active=true');
expect(plans.status === 200, 'plans are listed');
const planByCode = (code) => plans.body.data.find((plan) => plan.code === code) ?? fail(`seed plan ${code} missing`);
const starter = planByCode('starter-monthly');
const pro = planByCode('pro-monthly');

step('Create a customer (admin); the response shows its API key once');
const created = await admin.post('/v1/users', { email: `demo-${Date.now()}@example.com`, name: 'Demo Customer' });
expect(created.status === 201 && created.body.apiKey, 'user created with an API key');
const customer = subscriptions(created.body.apiKey);

step('Subscribe to starter-monthly with a card that succeeds (pm_card_visa)');
const subscribed = await customer.post('/v1/subscriptions', { planId: starter.id, paymentMethod: 'pm_card_visa' });
expect(subscribed.status === 201, 'subscription created (201)');
expect(subscribed.body.status === 'incomplete', 'it is incomplete until the payment webhook arrives');
const subscriptionId = subscribed.body.id;
const firstInvoiceId = subscribed.body.latestInvoice.id;

step('The payment service charges the invoice and sends a signed webhook; the subscription becomes active');
const active = await waitFor('status active', async () => {
  const res = await customer.get(`/v1/subscriptions/${subscriptionId}`, { quiet: true });
  return res.body.status === 'active' ? res : undefined;
});
await customer.get(`/v1/subscriptions/${subscriptionId}`);
expect(active.body.hasAccess === true, 'the customer has access');
const firstInvoice = await customer.get(`/v1/invoices/${firstInvoiceId}`);
expect(firstInvoice.body.status === 'paid', 'the first invoice is paid');
const firstPayment = await payments.get(`/v1/payments?merchantReference=${firstInvoiceId}`);
expect(firstPayment.body.data[0]?.status === 'succeeded', 'the payment service shows the payment succeeded');
const history = await customer.get(`/v1/subscriptions/${subscriptionId}/history`);
expect(
  history.body.data.some((c) => c.toStatus === 'active'),
  'the history records incomplete → active with its webhook event',
);

step('Upgrade to pro-monthly: a prorated invoice is charged, the plan switches when it is paid');
const upgrade = await customer.post(`/v1/subscriptions/${subscriptionId}/change-plan`, { planId: pro.id });
expect(upgrade.status === 200 && upgrade.body.pendingPlanId === pro.id, 'the upgrade is pending payment');
const upgraded = await waitFor('the plan to switch to pro-monthly', async () => {
  const res = await customer.get(`/v1/subscriptions/${subscriptionId}`, { quiet: true });
  return res.body.planId === pro.id ? res : undefined;
});
expect(upgraded.body.pendingPlanId === null, 'no change is pending any more');
const invoices = await customer.get(`/v1/invoices?subscriptionId=${subscriptionId}`);
const proration = invoices.body.data.find((invoice) => invoice.kind === 'proration');
expect(
  proration?.status === 'paid' && proration.amount > 0,
  `the proration invoice (${proration?.amount} minor units) is paid`,
);

step('Downgrade to starter-monthly: scheduled for the end of the period, nothing charged');
const downgrade = await customer.post(`/v1/subscriptions/${subscriptionId}/change-plan`, { planId: starter.id });
expect(downgrade.status === 200 && downgrade.body.scheduledPlanId === starter.id, 'the downgrade is scheduled');
expect(downgrade.body.planId === pro.id, 'the customer keeps pro until the period ends');

step('Cancel at period end: still active and entitled until then');
const cancel = await customer.post(`/v1/subscriptions/${subscriptionId}/cancel`, { atPeriodEnd: true });
expect(cancel.status === 200 && cancel.body.cancelAtPeriodEnd === true, 'cancellation is pending');
expect(cancel.body.status === 'active' && cancel.body.hasAccess === true, 'access continues until the period ends');

step('Resume: the pending cancellation is undone');
const resume = await customer.post(`/v1/subscriptions/${subscriptionId}/resume`, {});
expect(resume.status === 200 && resume.body.cancelAtPeriodEnd === false, 'the subscription renews again');

step('Renewal (test clock): the period ends, the scheduled downgrade applies and the renewal invoice is paid');
const beforeRenewal = await customer.get(`/v1/subscriptions/${subscriptionId}`, { quiet: true });
const renewing = await admin.post(`/v1/subscriptions/${subscriptionId}/test-clock/advance`, {
  to: secondAfter(beforeRenewal.body.currentPeriodEnd),
});
expect(renewing.status === 200, 'the subscription clock moved past the period end (admin, TEST_CLOCK_ENABLED=true)');
expect(renewing.body.renewalInvoiceId !== null, 'a renewal invoice was issued');
const renewed = await waitFor('the renewal to be paid', async () => {
  const res = await customer.get(`/v1/subscriptions/${subscriptionId}`, { quiet: true });
  return res.body.renewalInvoiceId === null && res.body.status === 'active' ? res : undefined;
});
expect(renewed.body.currentPeriodStart === beforeRenewal.body.currentPeriodEnd, 'the period advanced by one month');
expect(
  renewed.body.planId === starter.id && renewed.body.scheduledPlanId === null,
  'the scheduled downgrade took effect',
);
const renewalInvoice = await customer.get(`/v1/invoices/${renewing.body.renewalInvoiceId}`);
expect(renewalInvoice.body.kind === 'renewal' && renewalInvoice.body.status === 'paid', 'the renewal invoice is paid');
expect(renewalInvoice.body.amount === starter.amount, `it billed the new plan (${starter.amount})`);

step('Dunning: the card on file is declined at the next renewal → past_due');
const declinedCard = await customer.patch(`/v1/subscriptions/${subscriptionId}`, { paymentMethod: 'pm_card_declined' });
expect(
  declinedCard.status === 200 && declinedCard.body.paymentMethod === 'pm_card_declined',
  'the payment method on file changed',
);
const failing = await admin.post(`/v1/subscriptions/${subscriptionId}/test-clock/advance`, {
  to: secondAfter(renewed.body.currentPeriodEnd),
});
expect(failing.status === 200, 'the clock moved past the next period end');
const pastDue = await waitFor('the renewal to fail', async () => {
  const res = await customer.get(`/v1/subscriptions/${subscriptionId}`, { quiet: true });
  return res.body.status === 'past_due' ? res : undefined;
});
await customer.get(`/v1/subscriptions/${subscriptionId}`);
expect(pastDue.body.nextPaymentRetryAt !== null, `a dunning retry is scheduled (${pastDue.body.nextPaymentRetryAt})`);
expect(pastDue.body.hasAccess === true, 'access continues during the dunning grace period');

step('Recovery: the customer updates the card; the open renewal invoice is charged with it at once → active');
const goodCard = await customer.patch(`/v1/subscriptions/${subscriptionId}`, { paymentMethod: 'pm_card_visa' });
expect(goodCard.status === 200, 'the payment method on file is pm_card_visa again');
expect(
  goodCard.body.latestInvoice.payments.at(-1)?.initiatedBy === 'customer',
  'a payment with the new card was requested at once (no wait for the dunning retry)',
);
const recovered = await waitFor('the payment to succeed', async () => {
  const res = await customer.get(`/v1/subscriptions/${subscriptionId}`, { quiet: true });
  return res.body.status === 'active' && res.body.renewalInvoiceId === null ? res : undefined;
});
expect(recovered.body.currentPeriodStart === renewed.body.currentPeriodEnd, 'the period advanced');
const recoveredHistory = await customer.get(`/v1/subscriptions/${subscriptionId}/history`);
const lastTwo = recoveredHistory.body.data.slice(-2).map((c) => `${c.fromStatus}→${c.toStatus}`);
expect(lastTwo.join(',') === 'active→past_due,past_due→active', `history ends with ${lastTwo.join(', ')}`);

step('A declined card: the invoice fails and the subscription never becomes active');
const other = await admin.post('/v1/users', {
  email: `demo-declined-${Date.now()}@example.com`,
  name: 'Declined Customer',
});
const declinedCustomer = subscriptions(other.body.apiKey);
const declined = await declinedCustomer.post('/v1/subscriptions', {
  planId: starter.id,
  paymentMethod: 'pm_card_declined',
});
expect(declined.status === 201, 'subscription created (201)');
const failedInvoice = await waitFor('the invoice to fail', async () => {
  const res = await declinedCustomer.get(`/v1/invoices/${declined.body.latestInvoice.id}`, { quiet: true });
  return res.body.status === 'failed' ? res : undefined;
});
await declinedCustomer.get(`/v1/invoices/${declined.body.latestInvoice.id}`);
expect(failedInvoice.body.failureCode === 'card_declined', 'the failure code is card_declined');
const notActive = await declinedCustomer.get(`/v1/subscriptions/${declined.body.id}`);
expect(notActive.body.status === 'incomplete' && notActive.body.hasAccess === false, 'the subscription is not active');

step('A refund: a customer cancels while the charge is at the gateway; the money that is not owed goes back in full');
const refundUser = await admin.post('/v1/users', {
  email: `demo-refund-${Date.now()}@example.com`,
  name: 'Refunded Customer',
});
const refundCustomer = subscriptions(refundUser.body.apiKey);
// pm_card_processing_error: the gateway's first attempt fails retryably, the second succeeds about 2 s later.
const refundSub = await refundCustomer.post('/v1/subscriptions', {
  planId: pro.id,
  paymentMethod: 'pm_card_processing_error',
});
expect(refundSub.status === 201, 'subscription created (201)');
const refundInvoiceId = refundSub.body.latestInvoice.id;
const atGateway = await waitFor('the charge to reach the gateway', async () => {
  const res = await payments.get(`/v1/payments?merchantReference=${refundInvoiceId}`, { quiet: true });
  return res.body.data[0]?.status === 'processing' ? res.body.data[0] : undefined;
});
const canceledNow = await refundCustomer.post(`/v1/subscriptions/${refundSub.body.id}/cancel`, { atPeriodEnd: false });
expect(
  canceledNow.body.status === 'canceled' && canceledNow.body.latestInvoice.status === 'void',
  'canceled now: the invoice is void',
);
const refundedInvoice = await waitFor('the late success to be refunded', async () => {
  const res = await refundCustomer.get(`/v1/invoices/${refundInvoiceId}`, { quiet: true });
  return res.body.refunds?.[0]?.status === 'succeeded' ? res : undefined;
});
await refundCustomer.get(`/v1/invoices/${refundInvoiceId}`);
expect(
  refundedInvoice.body.amountRefunded === refundedInvoice.body.amount,
  `the invoice shows ${refundedInvoice.body.amountRefunded} refunded of ${refundedInvoice.body.amount}`,
);
const refundedPayment = await payments.get(`/v1/payments/${atGateway.id}`);
expect(
  refundedPayment.body.amountRefunded === refundedPayment.body.amount,
  'the payment service shows the payment refunded in full',
);

console.log(color('1;32', `\nDEMO PASSED: ${stepNumber} steps against ${SUBSCRIPTION_URL} and ${PAYMENT_URL}`));
