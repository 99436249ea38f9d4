// Authorization matrix: every operation of both services' OpenAPI documents × every kind of caller, over real HTTP,
// against the statuses written down in authorization-matrix.md (read that file first: columns and rules are there).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startStack } from '../cross-service/harness.mjs';
import { COLUMNS, readMatrix } from './support/matrix-table.mjs';
import { loadOperations } from './support/openapi.mjs';
import { worldOf } from './support/world.mjs';

// The harness hands its own environment to the services: lift the per-caller rate limit and the per-address limit on
// failed authentication for this run, since ~250 cells answer 401 from one address within a minute. Both limits have
// their own tests (the services' e2e suites); here they would only turn expected 401s into 429s.
process.env.AUTH_FAILURES_PER_MINUTE = '1000000';
process.env.RATE_LIMIT_PER_MINUTE = '1000000';

const SERVICES = ['subscription-service', 'payment-service'];
const MATRIX = readMatrix();
const CONCURRENCY = 12;

describe('authorization matrix (tests/hostile/authorization-matrix.md)', () => {
  let stack;
  let world;
  let shared;
  const operations = {};
  const results = {}; // results[service][operation][column] = { status, body } | { error }

  before(async () => {
    stack = await startStack({ name: 'authorization-matrix' });
    world = worldOf(stack);
    operations['subscription-service'] = await loadOperations('subscription-service', stack.subscriptionUrl);
    operations['payment-service'] = await loadOperations('payment-service', stack.paymentUrl);
    shared = await sharedResources(world);

    const cells = [];
    for (const service of SERVICES) {
      results[service] = {};
      for (const key of Object.keys(MATRIX[service] ?? {})) {
        results[service][key] = {};
        for (const column of Object.values(COLUMNS)) cells.push({ service, key, column });
      }
    }
    // Cells the table expects to be refused share one request (and its fresh resources) per row; each allowed cell
    // gets its own, so its effect cannot decide the answer of another cell.
    const requests = new Map();
    const requestOf = ({ service, key, column }) => {
      const allowed = MATRIX[service][key][column] < 300;
      const id = `${service} ${key} ${allowed ? column : 'refused'}`;
      if (!requests.has(id)) requests.set(id, buildRequest(world, shared, service, key));
      return requests.get(id);
    };
    await inParallel(cells, CONCURRENCY, async (cell) => {
      results[cell.service][cell.key][cell.column] = await runCell(stack, world, shared, cell, requestOf(cell));
    });
  });

  after(async () => {
    await stack?.stop();
  });

  for (const service of SERVICES) {
    it(`should have a row in the table for every operation of the ${service} OpenAPI document`, () => {
      const missing = operations[service].map((op) => op.key).filter((key) => !MATRIX[service]?.[key]);
      assert.deepEqual(missing, [], `${service}: add these operations to tests/hostile/authorization-matrix.md`);
    });

    it(`should list only operations the ${service} OpenAPI document has`, () => {
      const documented = new Set(operations[service].map((op) => op.key));
      const stale = Object.keys(MATRIX[service] ?? {}).filter((key) => !documented.has(key));
      assert.deepEqual(stale, [], `${service}: these rows name no operation of GET /docs-json`);
    });

    for (const [heading, column] of Object.entries(COLUMNS)) {
      it(`should answer the "${heading}" caller of ${service} as the table says`, () => {
        const mismatches = [];
        for (const [key, expected] of Object.entries(MATRIX[service] ?? {})) {
          const got = results[service][key][column];
          const problem = cellProblem(expected[column], got, column);
          if (problem) mismatches.push(`${key}: ${problem}`);
        }
        assert.deepEqual(mismatches, [], `${service}, column "${heading}"`);
      });
    }
  }
});

/** Why a cell does not match, or undefined. */
function cellProblem(expected, got, column) {
  if (got.error) return `expected ${expected}, could not send: ${got.error}`;
  if (got.status !== expected) return `expected ${expected}, got ${got.status} ${got.text.slice(0, 200)}`;
  if (column === 'userB' && got.status < 300) {
    const leaked = got.ownerIds.filter((id) => got.text.includes(id));
    if (leaked.length > 0) return `user B's answer mentions user A's ${leaked.join(', ')}`;
  }
  return undefined;
}

/** Resources every read-only row uses: plans, users A and B with active subscriptions, payments, an event, a refund. */
async function sharedResources(world) {
  const basic = await world.createPlan('matrix-basic', 1000);
  const premium = await world.createPlan('matrix-premium', 3000);
  const [a, b, refunded] = await Promise.all([
    world.activeCustomer(basic.id, 'matrix-a'),
    world.activeCustomer(basic.id, 'matrix-b'),
    world.succeededPayment(),
  ]);
  const invoiceId = a.subscription.latestInvoice.id;
  const payment = await world.paymentOfInvoice(invoiceId);
  const events = await world.payments.get(`/v1/events?paymentId=${payment.id}`);
  const refund = await world.payments.post(`/v1/payments/${refunded.id}/refunds`, { amount: 100 });
  assert.equal(refund.status, 202, JSON.stringify(refund.body));
  return {
    basic,
    premium,
    userA: a.user,
    userB: b.user,
    subscriptionA: a.subscription,
    invoiceA: invoiceId,
    paymentA: payment.id,
    eventA: events.body.data[0].id,
    refundedPayment: refunded.id,
    refund: refund.body.id,
  };
}

/**
 * The request of each row: `(world, shared) => { path, body?, owner? }`, where `owner` is user A, whose key the
 * "user A" and "revoked" columns use (default: the shared user A). Rows that change something make the resources they
 * need in the state the operation needs; see `requestOf` for when a request is built anew.
 */
const REQUESTS = {
  'subscription-service': {
    'GET /health/live': () => ({ path: '/health/live' }),
    'GET /health/ready': () => ({ path: '/health/ready' }),
    'POST /v1/users': () => ({ path: '/v1/users', body: { email: `matrix-${randomUUID()}@example.com`, name: 'M' } }),
    'GET /v1/users': () => ({ path: '/v1/users' }),
    'GET /v1/me': () => ({ path: '/v1/me' }),
    'GET /v1/users/{id}': (w, s) => ({ path: `/v1/users/${s.userA.id}` }),
    'PATCH /v1/users/{id}': (w, s) => ({ path: `/v1/users/${s.userA.id}`, body: { name: 'Matrix A' } }),
    'POST /v1/users/{id}/api-keys': (w, s) => ({ path: `/v1/users/${s.userA.id}/api-keys`, body: {} }),
    'GET /v1/users/{id}/api-keys': (w, s) => ({ path: `/v1/users/${s.userA.id}/api-keys` }),
    'DELETE /v1/users/{id}/api-keys/{keyId}': async (w, s) => {
      const issued = await w.admin.post(`/v1/users/${s.userA.id}/api-keys`, {});
      if (issued.status !== 201) throw new Error(`POST /v1/users/{id}/api-keys answered ${issued.status}`);
      return { path: `/v1/users/${s.userA.id}/api-keys/${issued.body.id}` };
    },
    'GET /v1/plans': () => ({ path: '/v1/plans' }),
    'POST /v1/plans': () => ({
      path: '/v1/plans',
      body: { code: `matrix-${randomUUID().slice(0, 8)}`, name: 'M', amount: 100, currency: 'USD', interval: 'month' },
    }),
    'GET /v1/plans/{id}': (w, s) => ({ path: `/v1/plans/${s.basic.id}` }),
    'PATCH /v1/plans/{id}': (w, s) => ({ path: `/v1/plans/${s.premium.id}`, body: { name: 'Matrix premium' } }),
    'POST /v1/plans/{id}/archive': async (w) => ({
      path: `/v1/plans/${(await w.createPlan('matrix-archive', 500)).id}/archive`,
    }),
    'POST /v1/subscriptions': async (w, s) => {
      const owner = await w.createUser('matrix-new');
      return {
        owner,
        path: '/v1/subscriptions',
        body: { planId: s.basic.id, paymentMethod: 'pm_card_visa', userId: owner.id },
      };
    },
    'GET /v1/subscriptions': () => ({ path: '/v1/subscriptions' }),
    'GET /v1/subscriptions/{id}': (w, s) => ({ path: `/v1/subscriptions/${s.subscriptionA.id}` }),
    'PATCH /v1/subscriptions/{id}': (w, s) => ({
      path: `/v1/subscriptions/${s.subscriptionA.id}`,
      body: { paymentMethod: 'pm_card_visa' },
    }),
    'GET /v1/subscriptions/{id}/history': (w, s) => ({ path: `/v1/subscriptions/${s.subscriptionA.id}/history` }),
    'GET /v1/subscriptions/{id}/change-plan/preview': (w, s) => ({
      path: `/v1/subscriptions/${s.subscriptionA.id}/change-plan/preview?planId=${s.premium.id}`,
    }),
    'POST /v1/subscriptions/{id}/change-plan': async (w, s) => {
      const { user, subscription } = await w.activeCustomer(s.basic.id, 'matrix-change');
      return {
        owner: user,
        path: `/v1/subscriptions/${subscription.id}/change-plan`,
        body: { planId: s.premium.id, effective: 'period_end' },
      };
    },
    'DELETE /v1/subscriptions/{id}/scheduled-change': async (w, s) => {
      const { user, subscription } = await w.activeCustomer(s.basic.id, 'matrix-scheduled');
      const scheduled = await w
        .asUser(user)
        .post(`/v1/subscriptions/${subscription.id}/change-plan`, { planId: s.premium.id, effective: 'period_end' });
      if (scheduled.status !== 200) throw new Error(`scheduling a change answered ${scheduled.status}`);
      return { owner: user, path: `/v1/subscriptions/${subscription.id}/scheduled-change` };
    },
    'POST /v1/subscriptions/{id}/pay': async (w, s) => {
      const { user, subscription } = await w.declinedCustomer(s.basic.id, 'matrix-retry');
      return { owner: user, path: `/v1/subscriptions/${subscription.id}/pay`, body: { paymentMethod: 'pm_card_visa' } };
    },
    'POST /v1/subscriptions/{id}/cancel': async (w, s) => {
      const { user, subscription } = await w.activeCustomer(s.basic.id, 'matrix-cancel');
      return { owner: user, path: `/v1/subscriptions/${subscription.id}/cancel`, body: { atPeriodEnd: true } };
    },
    'POST /v1/subscriptions/{id}/resume': async (w, s) => {
      const { user, subscription } = await w.activeCustomer(s.basic.id, 'matrix-resume');
      const canceled = await w.asUser(user).post(`/v1/subscriptions/${subscription.id}/cancel`, { atPeriodEnd: true });
      if (canceled.status !== 200) throw new Error(`canceling at period end answered ${canceled.status}`);
      return { owner: user, path: `/v1/subscriptions/${subscription.id}/resume` };
    },
    'POST /v1/subscriptions/{id}/test-clock/advance': (w, s) => ({
      path: `/v1/subscriptions/${s.subscriptionA.id}/test-clock/advance`,
      body: { seconds: 60 },
    }),
    'GET /v1/invoices': () => ({ path: '/v1/invoices' }),
    'GET /v1/invoices/{id}': (w, s) => ({ path: `/v1/invoices/${s.invoiceA}` }),
    'POST /v1/invoices/{id}/pay': async (w, s) => {
      const { user, invoiceId } = await w.declinedCustomer(s.basic.id, 'matrix-pay-now');
      return { owner: user, path: `/v1/invoices/${invoiceId}/pay`, body: { paymentMethod: 'pm_card_visa' } };
    },
    'GET /v1/payment-anomalies': () => ({ path: '/v1/payment-anomalies' }),
    'POST /v1/webhooks/payments': () => ({ path: '/v1/webhooks/payments', body: {} }),
  },
  'payment-service': {
    'GET /health/live': () => ({ path: '/health/live' }),
    'GET /health/ready': () => ({ path: '/health/ready' }),
    'GET /v1/events': () => ({ path: '/v1/events' }),
    'GET /v1/events/{id}': (w, s) => ({ path: `/v1/events/${s.eventA}` }),
    'POST /v1/events/{id}/redeliver': (w, s) => ({ path: `/v1/events/${s.eventA}/redeliver` }),
    'GET /v1/webhook-deliveries': () => ({ path: '/v1/webhook-deliveries' }),
    'POST /v1/webhook-deliveries/redeliver': () => ({
      path: '/v1/webhook-deliveries/redeliver',
      body: { status: 'failed', since: new Date().toISOString() },
    }),
    'GET /v1/webhook-endpoints': () => ({ path: '/v1/webhook-endpoints' }),
    'POST /v1/payments': () => ({
      path: '/v1/payments',
      body: {
        amount: 100,
        currency: 'USD',
        merchantReference: randomUUID(),
        customerReference: randomUUID(),
        paymentMethod: 'pm_card_visa',
      },
    }),
    'GET /v1/payments': () => ({ path: '/v1/payments' }),
    'GET /v1/payments/{id}': (w, s) => ({ path: `/v1/payments/${s.paymentA}` }),
    'POST /v1/payments/{id}/refunds': async (w) => ({
      path: `/v1/payments/${(await w.succeededPayment(1000)).id}/refunds`,
      body: { amount: 100 },
    }),
    'GET /v1/payments/{id}/refunds': (w, s) => ({ path: `/v1/payments/${s.refundedPayment}/refunds` }),
    'GET /v1/refunds/{id}': (w, s) => ({ path: `/v1/refunds/${s.refund}` }),
  },
};

/** The row's request (`REQUESTS`), or `{ error }`. */
async function buildRequest(world, shared, service, key) {
  const build = REQUESTS[service][key];
  if (!build) return { error: 'no request written for this row in authorization-matrix.test.mjs' };
  try {
    return await build(world, shared);
  } catch (error) {
    return { error: error.message };
  }
}

/** Sends the cell's request with the column's credential; returns `{ status, text, ownerIds }` or `{ error }`. */
async function runCell(stack, world, shared, { service, key, column }, requestPromise) {
  const request = await requestPromise;
  if (request.error) return { error: request.error };
  try {
    const owner = request.owner ?? shared.userA;
    const ownerIds = [owner.id, ...(request.owner ? [] : [shared.subscriptionA.id, shared.invoiceA])];
    const authorization = await credential(stack, world, shared, service, column, owner);
    const [method] = key.split(' ');
    const baseUrl = service === 'payment-service' ? stack.paymentUrl : stack.subscriptionUrl;
    const res = await fetch(`${baseUrl}${request.path}`, {
      method,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    return { status: res.status, text: await res.text(), ownerIds };
  } catch (error) {
    return { error: error.message };
  }
}

/** The Authorization header value of a column (undefined: none). */
async function credential(stack, world, shared, service, column, owner) {
  switch (column) {
    case 'noKey':
      return undefined;
    case 'malformed':
      return service === 'payment-service' ? stack.paymentKey : stack.adminKey;
    case 'revoked':
      return `Bearer ${await world.revokedKeyOf(owner)}`;
    case 'userA':
      return `Bearer ${owner.key}`;
    case 'userB':
      return `Bearer ${shared.userB.key}`;
    case 'admin':
      return `Bearer ${stack.adminKey}`;
    case 'paymentKey':
      return `Bearer ${stack.paymentKey}`;
    default:
      throw new Error(`unknown column ${column}`);
  }
}

async function inParallel(items, limit, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
