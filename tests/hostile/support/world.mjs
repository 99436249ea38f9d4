// Test data made through the services' own APIs (never written to the databases directly): users with their keys,
// plans, subscriptions in a given state, payments and refunds. Shared by the hostile-input and authorization tests.
import { createHmac, randomUUID } from 'node:crypto';
import { DEMO_SECRETS, eventually } from '../../../scripts/lib/stack.mjs';

/** How long a fixture may take to reach its state (payment, webhook, activation); generous for a loaded machine. */
const SETTLE_TIMEOUT_MS = 60_000;

/** The shared webhook secret both services run with in the harness (README "Demo keys"). */
export const WEBHOOK_SECRET = DEMO_SECRETS.webhookSecret;

/** Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" under the base64 secret. */
export function signWebhook(id, timestamp, body, secret = WEBHOOK_SECRET) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

/** JSON over fetch with a Bearer key: `{ get, post, patch, delete }` → `{ status, body }`. */
export function jsonApi(baseUrl, key) {
  const call = async (method, path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
    delete: (path) => call('DELETE', path),
  };
}

function expectStatus(res, status, what) {
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Helpers over a started stack (tests/cross-service/harness.mjs startStack). */
export function worldOf(stack) {
  const admin = jsonApi(stack.subscriptionUrl, stack.adminKey);
  const payments = jsonApi(stack.paymentUrl, stack.paymentKey);
  const asUser = (user) => jsonApi(stack.subscriptionUrl, user.key);

  const world = {
    admin,
    payments,
    asUser,

    /** A new customer: `{ id, email, key }`. */
    async createUser(label = 'hostile') {
      const email = `${label}-${randomUUID()}@example.com`;
      const body = expectStatus(await admin.post('/v1/users', { email, name: label }), 201, 'create user');
      return { id: body.id, email, key: body.apiKey };
    },

    async createPlan(label, amount, interval = 'month') {
      const code = `${label}-${randomUUID().slice(0, 8)}`;
      const plan = {
        code,
        name: label,
        description: `${label} plan`,
        amount,
        currency: 'USD',
        interval,
        intervalCount: 1,
      };
      return expectStatus(await admin.post('/v1/plans', plan), 201, 'create plan');
    },

    /** Subscribes `user` with their own key and waits until `until(subscription)` holds. */
    async subscribe(user, planId, paymentMethod, until) {
      const api = asUser(user);
      const created = expectStatus(
        await api.post('/v1/subscriptions', { planId, paymentMethod }),
        201,
        'create subscription',
      );
      if (!until) return created;
      return eventually(
        async () => {
          const res = await api.get(`/v1/subscriptions/${created.id}`);
          return res.status === 200 && until(res.body) ? res.body : undefined;
        },
        { timeoutMs: SETTLE_TIMEOUT_MS, what: `subscription ${created.id} to reach the wanted state` },
      );
    },

    /** A customer with an active subscription to `planId`: `{ user, subscription }`. */
    async activeCustomer(planId, label = 'active') {
      const user = await world.createUser(label);
      const subscription = await world.subscribe(user, planId, 'pm_card_visa', (s) => s.status === 'active');
      return { user, subscription };
    },

    /** A customer whose first payment was declined: the subscription is incomplete, its invoice failed. */
    async declinedCustomer(planId, label = 'declined') {
      const user = await world.createUser(label);
      const created = await world.subscribe(user, planId, 'pm_card_declined');
      await eventually(
        async () => {
          const res = await asUser(user).get(`/v1/invoices/${created.latestInvoice.id}`);
          return res.body?.status === 'failed';
        },
        { timeoutMs: SETTLE_TIMEOUT_MS, what: `invoice ${created.latestInvoice.id} to fail` },
      );
      return { user, subscription: created, invoiceId: created.latestInvoice.id };
    },

    /** The payment-service payment that pays `invoiceId` (the invoice id is its merchantReference). */
    async paymentOfInvoice(invoiceId) {
      const list = expectStatus(
        await payments.get(`/v1/payments?merchantReference=${invoiceId}`),
        200,
        'list payments',
      );
      if (list.data.length !== 1) throw new Error(`expected one payment for invoice ${invoiceId}`);
      return list.data[0];
    },

    /** A payment made directly on the payment service, once it has succeeded. */
    async succeededPayment(amount = 5000) {
      const created = expectStatus(
        await payments.post('/v1/payments', {
          amount,
          currency: 'USD',
          merchantReference: randomUUID(),
          customerReference: randomUUID(),
          paymentMethod: 'pm_card_visa',
        }),
        202,
        'create payment',
      );
      return eventually(
        async () => {
          const res = await payments.get(`/v1/payments/${created.id}`);
          return res.body?.status === 'succeeded' ? res.body : undefined;
        },
        { timeoutMs: SETTLE_TIMEOUT_MS, what: `payment ${created.id} to succeed` },
      );
    },

    /** Issues a second key for `user` (POST /v1/users/{id}/api-keys), uses it once, revokes it; returns the key. */
    async revokedKeyOf(user) {
      const issued = await admin.post(`/v1/users/${user.id}/api-keys`, {});
      if (issued.status !== 201) throw new Error(`POST /v1/users/{id}/api-keys answered ${issued.status}`);
      const used = await jsonApi(stack.subscriptionUrl, issued.body.key).get('/v1/me');
      if (used.status !== 200) throw new Error(`the new key did not work before revocation (${used.status})`);
      const revoked = await admin.delete(`/v1/users/${user.id}/api-keys/${issued.body.id}`);
      if (revoked.status !== 200 || !revoked.body?.revokedAt) {
        throw new Error(
          `DELETE /v1/users/{id}/api-keys/{keyId} answered ${revoked.status} ${JSON.stringify(revoked.body)}`,
        );
      }
      return issued.body.key;
    },
  };
  return world;
}
