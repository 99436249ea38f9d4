// Hostile input over real HTTP, generated from both services' OpenAPI documents (support/hostile-cases.mjs): wrong
// types, boundary numbers, huge strings, control characters, lone surrogates, deep nesting, nulls, malformed JSON and
// dates, bad ids and cursors, bad headers — each sent with a key allowed to call the operation
// (authorization-matrix.md), or signed like the payment service signs, for the webhook.
//
// It fails on: any 5xx; a request left without an answer; a 4xx that is not application/problem+json with the
// project's fields (type, title, status, detail, code, requestId: src/platform/errors/); any change to the data of
// either database made by a refused (4xx) request. Changes are found by an md5 of every row of every table of both
// databases, taken before and after each batch of requests; a batch in which some request was accepted (and may
// legitimately change data) has its refused requests sent again later among refused ones only (the summary counts
// those never judged), and a batch of refused requests that did change data is replayed one request at a time, each
// between two settled digests, to find which one did (a change none of them repeats is background work of an earlier
// accepted request, e.g. a webhook retry: printed as a note, not a failure).
//
// Deterministic: one seed drives every random choice (printed; HOSTILE_SEED=<n> replays a run). Bounded: the cases
// are generated, not searched, HOSTILE_MAX_REQUESTS caps them (default: all of them).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack } from '../cross-service/harness.mjs';
import { changedTables, equalDigests, openDigests } from './support/db-digest.mjs';
import { generateCases } from './support/hostile-cases.mjs';
import { allowedColumns, readMatrix } from './support/matrix-table.mjs';
import { loadOperations } from './support/openapi.mjs';
import { seededRandom } from './support/prng.mjs';
import { rawRequest } from './support/raw-http.mjs';
import { signWebhook, worldOf } from './support/world.mjs';

// The harness hands its own environment to the services: a fuzzer sends thousands of requests from one address and
// one key within a minute, so the per-caller rate limit and the per-address limit on failed authentication are lifted
// for this run (both have their own tests in the services' e2e suites); otherwise most cases would be answered 429
// before reaching the code they are meant to reach.
process.env.AUTH_FAILURES_PER_MINUTE = '1000000';
process.env.RATE_LIMIT_PER_MINUTE = '1000000';

const SEED = process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : 20261127;
const MAX_REQUESTS = process.env.HOSTILE_MAX_REQUESTS ? Number(process.env.HOSTILE_MAX_REQUESTS) : Infinity;
const BATCH = 16;
const PROBLEM_FIELDS = { type: 'string', title: 'string', status: 'number', detail: 'string', code: 'string' };

describe('hostile input, generated from the OpenAPI documents', () => {
  let stack;
  let db;

  before(async () => {
    stack = await startStack({ name: 'hostile-input' });
    db = await openDigests({
      subscription: process.env.XS_SUBSCRIPTION_DATABASE_URL,
      payment: process.env.XS_PAYMENT_DATABASE_URL,
    });
  });

  after(async () => {
    await db?.close();
    await stack?.stop();
  });

  it('should answer every hostile request with a 2xx or a problem+json 4xx, and change nothing when refusing', async () => {
    const started = Date.now();
    const random = seededRandom(SEED);
    const fixtures = await buildFixtures(stack);
    console.log(`[hostile] fixtures made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const operations = [
      ...(await loadOperations('subscription-service', stack.subscriptionUrl)),
      ...(await loadOperations('payment-service', stack.paymentUrl)),
    ];
    let cases = generateCases(operations, fixtures, random);
    if (cases.length > MAX_REQUESTS) cases = random.shuffle(cases).slice(0, MAX_REQUESTS);
    console.log(`[hostile] seed ${SEED} (HOSTILE_SEED=${SEED} replays this run): ${cases.length} requests`);

    const run = await runCases(cases, { stack, fixtures, db });
    const report = summarize(cases, run, operations, Date.now() - started, db.stats);
    console.log(report);
    if (MAX_REQUESTS === Infinity) assert.ok(cases.length >= 3000, `at least 3,000 requests (got ${cases.length})`);
    assert.equal(run.failures.length, 0, `${run.failures.length} failures; see the list above`);
  });
});

/** The resources hostile requests point at, and who may call what (authorization-matrix.md). */
async function buildFixtures(stack) {
  const world = worldOf(stack);
  const matrix = readMatrix();
  const basic = await world.createPlan('hostile-basic', 1000);
  const premium = await world.createPlan('hostile-premium', 3000);
  const target = await world.createPlan('hostile-target', 2000);
  const [a, canceling, declined, spare, direct] = await Promise.all([
    world.activeCustomer(basic.id, 'hostile-a'),
    world.activeCustomer(basic.id, 'hostile-cancel'),
    world.declinedCustomer(basic.id, 'hostile-declined'),
    world.createUser('hostile-spare'),
    world.succeededPayment(),
  ]);
  const invoiceA = a.subscription.latestInvoice.id;
  const paymentA = await world.paymentOfInvoice(invoiceA);
  const events = await world.payments.get(`/v1/events?paymentId=${paymentA.id}`);
  const event = (await world.payments.get(`/v1/events/${events.body.data[0].id}`)).body;
  const refund = await world.payments.post(`/v1/payments/${direct.id}/refunds`, { amount: 100 });
  if (refund.status !== 202) throw new Error(`refund fixture: ${refund.status} ${JSON.stringify(refund.body)}`);
  const webhookBody = {
    id: event.id,
    type: event.type,
    createdAt: event.createdAt,
    sequence: event.sequence,
    data: event.data,
  };

  /** Whose resources an operation's path names: the declined customer for payment retries, another for cancel. */
  const ownerOf = (op) => {
    if (/\/(subscriptions|invoices)\/\{id\}\/pay$/.test(op.path)) return declined.user;
    if (/\/(cancel|resume)$/.test(op.path)) return canceling.user;
    return a.user;
  };
  const subscriptionOf = new Map([
    [a.user, a.subscription.id],
    [declined.user, declined.subscription.id],
    [canceling.user, canceling.subscription.id],
  ]);
  const resourceIds = (op) => ({
    users: ownerOf(op).id,
    plans: op.path.endsWith('/archive') ? target.id : premium.id,
    subscriptions: subscriptionOf.get(ownerOf(op)),
    invoices: ownerOf(op) === declined.user ? declined.invoiceId : invoiceA,
    payments: op.method === 'POST' ? direct.id : paymentA.id,
    refunds: refund.body.id,
    events: event.id,
  });
  const segmentBefore = (op, name) => {
    const parts = op.path.split('/');
    return parts[parts.indexOf(`{${name}}`) - 1];
  };

  return {
    ownerOf,
    credentialsFor(op) {
      if (!op.secured) return op.headerParams.some((p) => p.name === 'webhook-signature') ? ['webhook'] : ['none'];
      const allowed = allowedColumns(matrix[op.service]?.[op.key]).filter((c) =>
        ['admin', 'userA', 'paymentKey'].includes(c),
      );
      if (allowed.length > 0) return allowed;
      return [op.service === 'payment-service' ? 'paymentKey' : 'admin'];
    },
    pathValue(op, name) {
      return resourceIds(op)[segmentBefore(op, name)] ?? '00000000-0000-4000-8000-00000000dead';
    },
    otherId(op, name) {
      const segment = segmentBefore(op, name);
      if (op.service === 'payment-service') return segment === 'events' ? paymentA.id : event.id;
      return segment === 'plans' || name === 'planId' ? a.subscription.id : premium.id;
    },
    bodyOverride(op, name, credential) {
      if (name === undefined) return op.key === 'POST /v1/webhooks/payments' ? webhookBody : undefined;
      if (name === 'planId') return premium.id;
      if (name === 'userId') return credential === 'admin' ? spare.id : a.user.id;
      if (name === 'paymentMethod') return 'pm_card_visa';
      if (name === 'since') return new Date().toISOString();
      return undefined;
    },
    queryValue(op, name) {
      return {
        planId: premium.id,
        subscriptionId: a.subscription.id,
        userId: a.user.id,
        paymentId: paymentA.id,
        merchantReference: invoiceA,
      }[name];
    },
  };
}

/** The bytes of one case as sent: credential and, for the webhook, a fresh valid signature unless the case spoils it. */
function requestOf(c, { stack, fixtures }) {
  const headers = [...c.headers];
  const keys = { admin: stack.adminKey, paymentKey: stack.paymentKey };
  const key = c.credential === 'userA' ? fixtures.ownerOf({ path: c.op.split(' ')[1] }).key : keys[c.credential];
  if (key) headers.push(['authorization', `Bearer ${key}`]);
  if (c.webhook) {
    const timestamp = typeof c.webhook.timestamp === 'function' ? c.webhook.timestamp() : c.webhook.timestamp;
    const ts = timestamp ?? String(Math.floor(Date.now() / 1000));
    const body = c.body === undefined ? Buffer.alloc(0) : Buffer.from(c.body);
    headers.push(['webhook-id', c.webhook.id], ['webhook-timestamp', ts]);
    headers.push(['webhook-signature', c.webhook.signature ?? signWebhook(c.webhook.id, ts, body)]);
  }
  return { method: c.method, path: c.path, headers, body: c.body };
}

/** Why a response breaks the rules, or undefined. */
function verdict(res) {
  if (res.status === 0) return { failure: 'no-answer', detail: res.error };
  if (res.status >= 500) return { failure: '5xx', detail: `${res.status} ${res.body.toString('utf8').slice(0, 200)}` };
  if (res.status < 400) return undefined;
  const type = res.headers['content-type'] ?? '';
  if (!type.startsWith('application/problem+json')) {
    return {
      failure: 'not-problem+json',
      detail: `${res.status} content-type "${type}": ${res.body.toString('utf8').slice(0, 160)}`,
    };
  }
  let problem;
  try {
    problem = JSON.parse(res.body.toString('utf8'));
  } catch {
    return {
      failure: 'not-problem+json',
      detail: `${res.status} body is not JSON: ${res.body.toString('utf8').slice(0, 160)}`,
    };
  }
  const wrong = Object.entries(PROBLEM_FIELDS).filter(([field, t]) => typeof problem?.[field] !== t);
  if (typeof problem?.requestId !== 'string') wrong.push(['requestId']);
  if (wrong.length > 0 || problem.status !== res.status) {
    return {
      failure: 'not-problem+json',
      detail: `${res.status} problem fields wrong (${wrong.map(([f]) => f).join(', ') || `status ${problem.status}`}): ${res.body.toString('utf8').slice(0, 160)}`,
    };
  }
  return undefined;
}

/**
 * Sends every case in batches of BATCH concurrent requests, checking each answer and the databases' digests around
 * each batch (see the header comment). Returns `{ outcomes, failures, replays, unverified, unattributed }`.
 */
async function runCases(cases, context) {
  const { db } = context;
  const outcomes = new Map(); // case → first response status (0: no answer)
  const failures = [];
  const attempts = new Map();
  const notes = [];
  let replays = 0;
  let unverified = 0;

  const send = async (c) => {
    const res = await rawRequest(
      context.stack[c.service === 'payment-service' ? 'paymentUrl' : 'subscriptionUrl'],
      requestOf(c, context),
    );
    if (!outcomes.has(c)) {
      outcomes.set(c, res.status);
      const bad = verdict(res);
      if (bad) failures.push({ ...bad, case: c });
    } else replays += 1;
    return res;
  };
  // A request without an answer may have been handled all the same: count it with the writes.
  const isWrite = (c, res) => (res.status < 400 || res.status >= 500) && c.method !== 'GET';
  const refusedOnly = (c, res) => res.status >= 400 && res.status < 500;

  let current = (await db.settle()).digest;
  const queue = [...cases];
  const recheck = [];
  const suspects = [];
  while (queue.length > 0 || recheck.length > 0) {
    const batch = (queue.length > 0 ? queue : recheck).splice(0, BATCH);
    for (const c of batch) attempts.set(c, (attempts.get(c) ?? 0) + 1);
    const responses = await Promise.all(batch.map(send));
    const after = await db.digest();
    const refused = batch.filter((c, i) => refusedOnly(c, responses[i]));
    const wrote = batch.some((c, i) => isWrite(c, responses[i]));
    if (equalDigests(current, after)) {
      current = after;
      continue;
    }
    if (wrote) {
      // Accepted requests changed data: the refused ones of this batch cannot be judged; send them again later.
      for (const c of refused) {
        if (attempts.get(c) < 3) recheck.push(c);
        else unverified += 1;
      }
    } else {
      suspects.push({ cases: refused, tables: changedTables(current, after) });
    }
    current = (await db.settle()).digest;
  }

  // A batch of refused requests changed data: replay its requests one at a time, each between two settled digests.
  for (const suspect of suspects) {
    let found = false;
    for (const c of suspect.cases) {
      const before = (await db.settle({ stableReads: 5 })).digest;
      const res = await send(c);
      const afterOne = (await db.settle()).digest;
      if (res.status >= 400 && res.status < 500 && !equalDigests(before, afterOne)) {
        found = true;
        failures.push({
          failure: 'changed-data',
          detail: `${res.status}, yet changed ${changedTables(before, afterOne).join(', ')}`,
          case: c,
        });
      }
    }
    if (!found) {
      notes.push(
        `a batch of ${suspect.cases.length} refused requests was followed by a change of ${suspect.tables.join(', ')} ` +
          'that none of them repeats alone (background work of an earlier accepted request)',
      );
    }
  }
  return { outcomes, failures, replays, unverified, notes };
}

function summarize(cases, run, operations, elapsedMs, dbStats) {
  const count = (items, keyOf) => {
    const counts = {};
    for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
    return Object.entries(counts)
      .sort((x, y) => y[1] - x[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  };
  const lines = [];
  const statusOf = (c) => run.outcomes.get(c) ?? 'not sent';
  lines.push(
    `[hostile] ${cases.length} requests in ${(elapsedMs / 1000).toFixed(1)} s (seed ${SEED}); ${run.replays} more sent again to check the databases`,
  );
  lines.push(
    `[hostile] database checks: ${dbStats.digests} digests (${(dbStats.digestMs / 1000).toFixed(1)} s), ` +
      `${dbStats.settles} waits for background work to finish (${(dbStats.settleMs / 1000).toFixed(1)} s, ` +
      `${dbStats.unsettled} of them gave up after 15 s)`,
  );
  lines.push(`[hostile] per service: ${count(cases, (c) => c.service)}`);
  lines.push(`[hostile] per status: ${count(cases, statusOf)}`);
  lines.push(`[hostile] per kind: ${count(cases, (c) => c.kind)}`);
  const covered = new Set(cases.map((c) => `${c.service} ${c.op}`));
  lines.push(`[hostile] operations covered: ${covered.size} of ${operations.length}`);
  if (run.unverified > 0)
    lines.push(
      `[hostile] ${run.unverified} refused requests could not be checked for data changes (always batched with writes)`,
    );
  for (const note of run.notes) lines.push(`[hostile] note: ${note}`);
  if (run.failures.length === 0) {
    lines.push('[hostile] no failures');
    return lines.join('\n');
  }
  lines.push(`[hostile] ${run.failures.length} FAILURES by failure: ${count(run.failures, (f) => f.failure)}`);
  lines.push(`[hostile] failures by failure and kind: ${count(run.failures, (f) => `${f.failure}/${f.case.kind}`)}`);
  for (const f of run.failures) {
    const body =
      f.case.body === undefined
        ? ''
        : ` body ${JSON.stringify(Buffer.from(f.case.body).toString('utf8').slice(0, 100))}`;
    lines.push(
      `  [${f.failure}] ${f.case.service} ${f.case.method} ${f.case.path.slice(0, 100)} — ${f.case.kind}: ${f.case.label.slice(0, 80)} (as ${f.case.credential})${body} → ${f.detail}`,
    );
  }
  return lines.join('\n');
}
