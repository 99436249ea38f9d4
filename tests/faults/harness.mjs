// Fault-injection harness: real service processes (node dist/main.js), real PostgreSQL databases (one pair per
// scenario), and small HTTP proxies in front of each service so a scenario can kill, restart, multiply or
// degrade a service without touching its code.
//
//   client ──► subFront (round-robin over subscription replicas) ──► subscription-service #i
//   subscription-service ──► payFront (round-robin, can answer 500 / hang) ──► payment-service #j
//   payment-service webhooks ──► subFront (can refuse webhooks with 503)
//
// Needs FAULTS_PG_URL (a server-level URL; tests/faults/run.mjs sets it). Builds nothing.
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, provisionPostgres } from '../../scripts/lib/postgres.mjs';
import {
  DEMO_SECRETS,
  eventually,
  migrateDatabase,
  paymentServiceEnv,
  sleep,
  spawnService,
  subscriptionServiceEnv,
  WEBHOOK_PATH,
} from '../../scripts/lib/stack.mjs';

export { sleep };
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Seed plan ids (subscription-service/src/seed-ids.ts).
export const PLANS = {
  starterMonthly: '00000000-0000-4000-8000-000000000101',
  proMonthly: '00000000-0000-4000-8000-000000000102',
  businessMonthly: '00000000-0000-4000-8000-000000000103',
};

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (run through "node tests/faults/run.mjs")`);
  return value;
}

/** One service process that can be started, SIGKILLed and restarted on the same port, each start logged. */
class Instance {
  constructor(service, index, env, logDir) {
    Object.assign(this, { service, index, env, label: `${service}-${index}`, serviceProcess: null });
    this.port = Number(env.PORT);
    this.url = `http://127.0.0.1:${this.port}`;
    this.logFile = join(logDir, `${this.label}.log`);
  }

  /** Spawns the process (known to stop() at once) and resolves when it is ready. */
  async start() {
    appendFileSync(this.logFile, `\n===== start ${new Date().toISOString()} =====\n`);
    this.serviceProcess = spawnService(this.service, this.env, { label: this.label, logFile: this.logFile });
    await this.serviceProcess.ready({ timeoutMs: 45_000 });
  }

  /** kill -9: no shutdown hooks, leases and in-flight requests are left as they are. */
  async kill9() {
    if (!this.serviceProcess?.running) return;
    appendFileSync(this.logFile, `\n===== SIGKILL ${new Date().toISOString()} =====\n`);
    await this.serviceProcess.kill();
  }

  stop() {
    return this.serviceProcess?.stop() ?? Promise.resolve();
  }
}

/**
 * Round-robin HTTP proxy. `mode` (changeable at any time):
 *   pass          forward
 *   error500      answer 500 without forwarding
 *   hang          forward, then withhold the answer (the caller times out; the upstream did the work)
 *   refuseWebhooks  503 for /v1/webhooks/*, forward the rest
 * Counts what it saw per mode.
 */
export function startProxy(targets) {
  const proxy = { targets, mode: 'pass', next: 0, counts: {}, held: new Set() };
  const bump = (k) => (proxy.counts[k] = (proxy.counts[k] ?? 0) + 1);
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const mode = proxy.mode;
      const isWebhook = req.url.startsWith('/v1/webhooks');
      if (mode === 'error500' && !req.url.startsWith('/health')) {
        bump('error500');
        res
          .writeHead(500, { 'content-type': 'application/problem+json' })
          .end('{"status":500,"code":"internal_error"}');
        return;
      }
      if (mode === 'refuseWebhooks' && isWebhook) {
        bump('refused');
        res.writeHead(503, { 'content-type': 'text/plain' }).end('receiver unavailable');
        return;
      }
      const target = proxy.targets[proxy.next++ % proxy.targets.length];
      const hang = mode === 'hang' && !req.url.startsWith('/health');
      bump(hang ? 'hung' : 'forwarded');
      const forward = httpRequest(
        {
          host: '127.0.0.1',
          port: target.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, connection: 'close' },
        },
        (upstream) => {
          if (hang) {
            upstream.resume();
            proxy.held.add(res);
            res.on('close', () => proxy.held.delete(res));
            return; // never answer; the caller's timeout fires
          }
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        },
      );
      forward.on('error', () => {
        bump('upstreamError');
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
      });
      forward.end(body);
    });
  });
  proxy.listen = (port) => new Promise((r) => server.listen(port, '127.0.0.1', r));
  proxy.close = () =>
    new Promise((r) => {
      for (const res of proxy.held) res.destroy();
      server.closeAllConnections?.();
      server.close(() => r());
    });
  return proxy;
}

function dbNameFor(name, service) {
  return `faults_${name.replace(/[^a-z0-9_]/g, '_')}_${service}`;
}

/**
 * Fresh databases, migrated + seeded, N replicas of each service behind the proxies.
 * Returns handles for the processes, the proxies, the two databases (pg pools) and API clients.
 */
export async function startStack({
  name,
  subscriptionReplicas = 1,
  paymentReplicas = 1,
  paymentOptions = {},
  subscriptionOptions = {},
} = {}) {
  const server = await provisionPostgres({ givenUrl: required('FAULTS_PG_URL') });
  const paymentDbName = dbNameFor(name, 'payment');
  const subscriptionDbName = dbNameFor(name, 'subscription');
  await server.createDatabase(paymentDbName, { recreate: true });
  await server.createDatabase(subscriptionDbName, { recreate: true });
  const paymentDbUrl = server.urlFor(paymentDbName);
  const subscriptionDbUrl = server.urlFor(subscriptionDbName);

  const logDir = join(process.env.FAULTS_LOG_DIR ?? join(tmpdir(), 'billing-faults-logs'), name);
  mkdirSync(logDir, { recursive: true });

  const subPorts = await Promise.all(Array.from({ length: subscriptionReplicas }, () => freePort()));
  const payPorts = await Promise.all(Array.from({ length: paymentReplicas }, () => freePort()));
  const [subFrontPort, payFrontPort] = [await freePort(), await freePort()];

  // Every replica of a service gets the same environment but its port. Webhooks go through subFront, payment
  // calls through payFront.
  const paymentEnvOn = (port) =>
    paymentServiceEnv({
      port,
      databaseUrl: paymentDbUrl,
      subscriptionServiceUrl: `http://127.0.0.1:${subFrontPort}`,
      logLevel: 'warn',
      nodeEnv: 'test',
      webhookRetrySchedule: '300ms,1s,2s,4s,8s,15s,20s',
      webhookTimeoutMs: 3000,
      simulationDelayMs: 20,
      workerPollIntervalMs: 100,
      rateLimitPerMinute: 1_000_000,
      swaggerEnabled: false,
      ...paymentOptions,
    });
  const subscriptionEnvOn = (port) =>
    subscriptionServiceEnv({
      port,
      databaseUrl: subscriptionDbUrl,
      paymentServiceUrl: `http://127.0.0.1:${payFrontPort}`,
      logLevel: 'warn',
      nodeEnv: 'test',
      outboxPollIntervalMs: 100,
      httpTimeoutMs: 3000,
      rateLimitPerMinute: 1_000_000,
      swaggerEnabled: false,
      ...subscriptionOptions,
    });
  migrateDatabase('payment-service', paymentEnvOn(payPorts[0]), { seed: true });
  migrateDatabase('subscription-service', subscriptionEnvOn(subPorts[0]), { seed: true });

  const payment = payPorts.map((port, i) => new Instance('payment-service', i, paymentEnvOn(port), logDir));
  const subscription = subPorts.map(
    (port, i) => new Instance('subscription-service', i, subscriptionEnvOn(port), logDir),
  );
  const subFront = startProxy(subscription);
  const payFront = startProxy(payment);
  await subFront.listen(subFrontPort);
  await payFront.listen(payFrontPort);
  try {
    await Promise.all([...payment, ...subscription].map((i) => i.start()));
  } catch (error) {
    // One instance failed to start (e.g. its port was taken meanwhile): stop the others, or their processes
    // and the proxies keep this test process alive and the whole suite hangs.
    await Promise.allSettled([...payment, ...subscription].map((i) => i.stop()));
    await Promise.allSettled([subFront.close(), payFront.close()]);
    throw error;
  }

  const sdb = new pg.Pool({ connectionString: subscriptionDbUrl, max: 3 });
  const pdb = new pg.Pool({ connectionString: paymentDbUrl, max: 3 });
  const subscriptionUrl = `http://127.0.0.1:${subFrontPort}`;
  const paymentUrl = `http://127.0.0.1:${payFrontPort}`;

  return {
    name,
    logDir,
    payment,
    subscription,
    subFront,
    payFront,
    sdb,
    pdb,
    paymentDbUrl,
    subscriptionDbUrl,
    subscriptionUrl,
    paymentUrl,
    webhookUrl: `${subscriptionUrl}${WEBHOOK_PATH}`,
    api: (key = DEMO_SECRETS.adminKey) => client(subscriptionUrl, key),
    paymentApi: client(`http://127.0.0.1:${payPorts[0]}`, DEMO_SECRETS.paymentKey),
    async stop() {
      await Promise.all([...payment, ...subscription].map((i) => i.stop()));
      await Promise.all([subFront.close(), payFront.close()]);
      await Promise.all([sdb.end(), pdb.end()]);
    },
  };
}

/** JSON client that never throws on network errors: { status: 0, error } instead. */
export function client(baseUrl, apiKey) {
  const call = async (method, path, body, headers = {}) => {
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      let parsed;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: res.status, headers: res.headers, body: parsed };
    } catch (error) {
      return { status: 0, error: String(error?.cause?.code ?? error?.message ?? error) };
    }
  };
  return {
    get: (path, headers) => call('GET', path, undefined, headers),
    post: (path, body, headers) => call('POST', path, body, headers),
  };
}

/** Runs `fn(item, index)` over items with at most `concurrency` in flight. */
export async function pool(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

/**
 * Polls `probe` until its value is truthy (or, for an object with `done`, until `done` is); returns the last value
 * either way, so a check can report what it saw. Timeout and interval in ms.
 */
export function waitFor(probe, { timeoutMs = 30_000, intervalMs = 500 } = {}) {
  return eventually(probe, {
    timeoutMs,
    intervalMs,
    isDone: (last) => Boolean(last?.done ?? last),
    lastOnTimeout: true,
  });
}

/** Creates `count` customers through the admin API (idempotent keys); returns their ids. */
export async function createUsers(stack, prefix, count, concurrency = 8) {
  const api = stack.api();
  return pool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      for (let attempt = 0; attempt < 30; attempt++) {
        const res = await api.post(
          '/v1/users',
          { email: `${prefix}-${i}@faults.example`, name: `Fault ${prefix} ${i}` },
          { 'idempotency-key': `${prefix}-user-${i}` },
        );
        if (res.status === 201 || res.status === 200) return res.body.id;
        await sleep(500);
      }
      throw new Error(`could not create user ${prefix}-${i}`);
    },
  );
}

/**
 * A subscription request as a careful client sends it: same Idempotency-Key on every retry; retries
 * connection errors, 5xx and 409 idempotency_key_in_use; on a stuck key it looks the subscription up by user.
 */
export async function subscribeWithRetry(
  stack,
  { userId, planId, paymentMethod, key, deadlineMs = 90_000, stuckKeyGraceMs = 15_000 },
) {
  const api = stack.api();
  const started = Date.now();
  const trace = {
    attempts: 0,
    networkErrors: 0,
    serverErrors: 0,
    keyInUse: 0,
    stuckKey: false,
    foundByLookup: false,
    rekeyed: false,
  };
  let firstKeyInUse = null;
  let currentKey = key;
  while (Date.now() - started < deadlineMs) {
    trace.attempts++;
    const res = await api.post(
      '/v1/subscriptions',
      { userId, planId, paymentMethod },
      { 'idempotency-key': currentKey },
    );
    if (res.status === 201 || res.status === 200) return { id: res.body.id, trace };
    if (res.status === 0) trace.networkErrors++;
    else if (res.status >= 500) trace.serverErrors++;
    else if (res.status === 409 && res.body?.code === 'idempotency_key_in_use') {
      trace.keyInUse++;
      firstKeyInUse ??= Date.now();
      if (Date.now() - firstKeyInUse > stuckKeyGraceMs) {
        // The request that reserved the key died with its process; the key will answer 409 for 24 h.
        trace.stuckKey = true;
        const found = await findLiveSubscription(stack, userId);
        if (found) {
          trace.foundByLookup = true;
          return { id: found, trace };
        }
        currentKey = `${key}-rekey`;
        trace.rekeyed = true;
        firstKeyInUse = null;
      }
    } else if (res.status === 409 && res.body?.code === 'subscription_exists') {
      const found = await findLiveSubscription(stack, userId);
      if (found) {
        trace.foundByLookup = true;
        return { id: found, trace };
      }
    } else if (res.status !== 429 && res.status !== 502 && res.status !== 503) {
      return { id: null, trace, error: `${res.status} ${JSON.stringify(res.body)}` };
    }
    await sleep(300 + Math.random() * 300);
  }
  return { id: null, trace, error: 'deadline' };
}

async function findLiveSubscription(stack, userId) {
  const res = await stack.api().get(`/v1/subscriptions?userId=${userId}&limit=10`);
  if (res.status !== 200) return null;
  return res.body.data[0]?.id ?? null;
}

/** Collects named checks, records them for run.mjs's summary table and fails the test if any differs. */
export function checks(scenario) {
  const rows = [];
  let sent = 0;
  return {
    sent(n) {
      sent += n;
    },
    eq(check, expected, observed) {
      rows.push({
        check,
        expected: String(expected),
        observed: String(observed),
        ok: Object.is(expected, observed) || String(expected) === String(observed),
      });
    },
    /** observed must satisfy `predicate`; `expected` is the text shown in the table. */
    that(check, expected, observed, predicate) {
      rows.push({ check, expected: String(expected), observed: String(observed), ok: Boolean(predicate(observed)) });
    },
    info(check, observed) {
      rows.push({ check, expected: '(info)', observed: String(observed), ok: true });
    },
    finish(assert) {
      const file = process.env.FAULTS_RESULTS_FILE;
      if (file) appendFileSync(file, `${JSON.stringify({ scenario, sent, rows })}\n`);
      for (const r of rows)
        console.log(
          `[${scenario}] ${r.ok ? 'ok  ' : 'FAIL'} ${r.check}: expected ${r.expected}, observed ${r.observed}`,
        );
      const failed = rows.filter((r) => !r.ok);
      assert.deepStrictEqual(failed, [], `${failed.length} check(s) failed in ${scenario}`);
    },
  };
}

/** Cross-database counts for a set of subscriptions (the invariants every scenario checks). */
export async function ledger(stack, subscriptionIds) {
  const ids = subscriptionIds.filter(Boolean);
  const one = async (db, sql, params) => (await db.query(sql, params)).rows;
  const subs = await one(
    stack.sdb,
    'SELECT id, status, plan_id, user_id FROM subscriptions WHERE id = ANY($1::uuid[])',
    [ids],
  );
  const invoices = await one(
    stack.sdb,
    'SELECT id, subscription_id, kind, status FROM invoices WHERE subscription_id = ANY($1::uuid[])',
    [ids],
  );
  const invoiceIds = invoices.map((i) => i.id);
  const invoicePayments = await one(
    stack.sdb,
    'SELECT id, invoice_id, status, gateway_payment_id FROM invoice_payments WHERE invoice_id = ANY($1::uuid[])',
    [invoiceIds],
  );
  const outbox = await one(
    stack.sdb,
    `SELECT o.id, o.status, o.aggregate_id FROM outbox_messages o WHERE o.aggregate_id = ANY($1::uuid[])`,
    [invoicePayments.map((p) => p.id)],
  );
  const history = await one(
    stack.sdb,
    'SELECT subscription_id, from_status, to_status, cause_type, cause_id FROM subscription_status_changes WHERE subscription_id = ANY($1::uuid[])',
    [ids],
  );
  const payments = await one(
    stack.pdb,
    `SELECT id, merchant_reference, status, idempotency_scope, metadata->>'invoicePaymentId' AS invoice_payment_id FROM payments WHERE merchant_reference = ANY($1::text[])`,
    [invoiceIds],
  );
  const paymentIds = payments.map((p) => p.id);
  const events = await one(
    stack.pdb,
    'SELECT id, payment_id, type, sequence FROM events WHERE payment_id = ANY($1::uuid[])',
    [paymentIds],
  );
  const deliveries = await one(
    stack.pdb,
    'SELECT d.id, d.event_id, d.status FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE e.payment_id = ANY($1::uuid[])',
    [paymentIds],
  );
  const inbound = await one(
    stack.sdb,
    'SELECT id, payment_id, outcome FROM inbound_webhook_events WHERE payment_id = ANY($1::text[])',
    [paymentIds],
  );
  const countBy = (rows, key) => rows.reduce((m, r) => m.set(r[key], (m.get(r[key]) ?? 0) + 1), new Map());
  const maxPer = (rows, key) => Math.max(0, ...countBy(rows, key).values());
  const statusCount = (rows, status) => rows.filter((r) => r.status === status).length;
  const webhookHistoryByCause = countBy(
    history.filter((h) => h.cause_type === 'webhook_event'),
    'cause_id',
  );
  return {
    subs,
    invoices,
    invoicePayments,
    outbox,
    history,
    payments,
    events,
    deliveries,
    inbound,
    countBy,
    maxPer,
    statusCount,
    /** payments per merchant_reference (invoice) whose status is succeeded: > 1 = charged twice */
    maxSucceededPaymentsPerInvoice: maxPer(
      payments.filter((p) => p.status === 'succeeded'),
      'merchant_reference',
    ),
    maxPaymentsPerIdempotencyScope: maxPer(
      payments.filter((p) => p.idempotency_scope),
      'idempotency_scope',
    ),
    maxPaymentsPerInvoicePayment: maxPer(payments, 'invoice_payment_id'),
    maxOutboxPerInvoicePayment: maxPer(outbox, 'aggregate_id'),
    maxInitialInvoicesPerSubscription: maxPer(
      invoices.filter((i) => i.kind === 'initial'),
      'subscription_id',
    ),
    maxHistoryRowsPerWebhookEvent: Math.max(0, ...webhookHistoryByCause.values()),
    maxEventsPerPaymentSequence: maxPer(
      events.map((e) => ({ k: `${e.payment_id}:${e.sequence}` })),
      'k',
    ),
    inboundIds: new Set(inbound.map((r) => r.id)),
  };
}

/** Declined subset used by the burst scenarios: every 10th customer pays with pm_card_declined. */
export const isDeclinedIndex = (i) => i % 10 === 9;

/** Subscribes every user (careful client, see subscribeWithRetry) with `concurrency` in flight. */
export async function burst(stack, users, { prefix, concurrency = 10, onProgress, deadlineMs = 150_000 } = {}) {
  let done = 0;
  return pool(users, concurrency, async (userId, i) => {
    const paymentMethod = isDeclinedIndex(i) ? 'pm_card_declined' : 'pm_card_visa';
    const r = await subscribeWithRetry(stack, {
      userId,
      planId: PLANS.starterMonthly,
      paymentMethod,
      key: `${prefix}-${i}`,
      deadlineMs,
    });
    done++;
    onProgress?.(done);
    return { ...r, userId, paymentMethod, index: i };
  });
}

/**
 * Waits until every burst subscription is in its right end state (visa → active with a paid invoice; declined →
 * incomplete with a failed invoice) and nothing is pending in either database; returns the ledger either way.
 */
export async function waitSettled(stack, results, { timeoutMs = 150_000 } = {}) {
  const ids = results.map((r) => r.id).filter(Boolean);
  const expected = new Map(
    results.map((r) => [r.userId, r.paymentMethod === 'pm_card_declined' ? 'incomplete' : 'active']),
  );
  const last = await waitFor(
    async () => {
      const L = await ledger(stack, ids);
      const right = L.subs.filter((s) => {
        const inv = L.invoices.find((i) => i.subscription_id === s.id);
        return s.status === expected.get(s.user_id) && inv?.status === (s.status === 'active' ? 'paid' : 'failed');
      }).length;
      const pendingOutbox = L.outbox.filter((o) => o.status === 'pending').length;
      const pendingDeliveries = L.deliveries.filter((d) => d.status === 'pending').length;
      const processing = L.payments.filter((p) => p.status === 'processing').length;
      return {
        done: right === results.length && pendingOutbox + pendingDeliveries + processing === 0,
        L,
        right,
        pendingOutbox,
        pendingDeliveries,
        processing,
      };
    },
    { timeoutMs, intervalMs: 1000 },
  );
  return last;
}

/** The invariants shared by the burst scenarios (1, 2, 4). */
export async function burstChecks(stack, c, results, settled) {
  const n = results.length;
  const declined = results.filter((r) => r.paymentMethod === 'pm_card_declined').length;
  const L = settled.L;
  const userIds = results.map((r) => r.userId);
  const perUser = (
    await stack.sdb.query(
      'SELECT user_id, count(*)::int AS n FROM subscriptions WHERE user_id = ANY($1::uuid[]) GROUP BY user_id',
      [userIds],
    )
  ).rows;
  const attempts = (
    await stack.pdb.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE outcome = 'succeeded')::int AS ok,
            coalesce(max(c), 0)::int AS max_ok FROM payment_attempts a
       LEFT JOIN LATERAL (SELECT count(*) AS c FROM payment_attempts b WHERE b.payment_id = a.payment_id AND b.outcome = 'succeeded') x ON true
      WHERE a.payment_id = ANY($1::uuid[])`,
      [L.payments.map((p) => p.id)],
    )
  ).rows[0];
  const deliveryAttempts = (
    await stack.pdb.query(
      'SELECT count(*)::int AS n FROM webhook_delivery_attempts WHERE delivery_id = ANY($1::uuid[])',
      [L.deliveries.map((d) => d.id)],
    )
  ).rows[0].n;
  const openKeys = (await stack.sdb.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE completed_at IS NULL'))
    .rows[0].n;
  c.info(
    'client: retries / network errors / 5xx (502 from the front while down) / stuck keys',
    `${results.reduce((s, r) => s + r.trace.attempts - 1, 0)} / ${results.reduce((s, r) => s + r.trace.networkErrors, 0)} / ${results.reduce((s, r) => s + r.trace.serverErrors, 0)} / ${results.filter((r) => r.trace.stuckKey).length}`,
  );
  const stuck = results.filter((r) => r.trace.stuckKey);
  c.info(
    'stuck Idempotency-Key (409 in use after restart): found by lookup / re-sent with new key',
    `${stuck.filter((r) => r.trace.foundByLookup).length} / ${stuck.filter((r) => r.trace.rekeyed).length}`,
  );
  c.eq('subscribe requests answered 201/200 (eventually)', n, results.filter((r) => r.id).length);
  c.eq(
    'subscriptions (exactly one per customer)',
    `${n} users × max 1`,
    `${perUser.length} users × max ${Math.max(0, ...perUser.map((r) => r.n))}`,
  );
  c.eq('subscriptions in the right state (visa active+paid, declined incomplete+failed)', n, settled.right);
  c.eq(`  of which declined → incomplete`, declined, L.subs.filter((s) => s.status === 'incomplete').length);
  c.eq('invoices (one initial per subscription)', n, L.invoices.length);
  c.eq('invoice_payments', n, L.invoicePayments.length);
  c.eq(
    'outbox_messages sent (one per invoice payment)',
    `${n} sent, max 1`,
    `${L.outbox.filter((o) => o.status === 'sent').length} sent, max ${L.maxOutboxPerInvoicePayment}`,
  );
  c.eq(
    'payments per merchant_reference (invoice)',
    `${n} invoices × max 1`,
    `${new Set(L.payments.map((p) => p.merchant_reference)).size} invoices × max ${L.maxPer(L.payments, 'merchant_reference')}`,
  );
  c.eq('payments still processing', 0, L.payments.filter((p) => p.status === 'processing').length);
  c.eq(
    'succeeded payment_attempts per payment (charged twice if > 1)',
    `${n - declined} total, max 1`,
    `${attempts.ok} total, max ${attempts.max_ok}`,
  );
  c.eq(
    'events (one per payment, sequence unique)',
    `${n}, max 1`,
    `${L.events.length}, max ${L.maxEventsPerPaymentSequence}`,
  );
  c.eq('webhook deliveries succeeded', n, L.deliveries.filter((d) => d.status === 'succeeded').length);
  c.info('webhook delivery attempts (retries included)', deliveryAttempts);
  c.eq('inbound_webhook_events (one per event)', n, L.inbound.length);
  c.eq('subscription_status_changes (created + activations)', n + (n - declined), L.history.length);
  c.eq('max status changes caused by one webhook event', 1, L.maxHistoryRowsPerWebhookEvent);
  c.eq('idempotency keys left in flight (completed_at NULL)', 0, openKeys);
  return L;
}
