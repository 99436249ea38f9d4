// Starts the two real services as separate processes, each on its own database, with a
// small HTTP relay in front of the subscription service's webhook endpoint so a test can
// make the receiver refuse deliveries (as a load balancer in front of a restarting service would).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/lib/postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The documented demo keys, so README samples can be replayed verbatim (see readme-samples.test.mjs).
export const ADMIN_KEY = 'sk_admin_demo_subscription_0001';
const PAYMENT_API_KEY = 'sk_payment_demo_0001';
const WEBHOOK_SECRET = 'whsec_ZGVtb19zZWNyZXRfZm9yX2xvY2FsX3dlYmhvb2tz';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (run through "npm test" at the repository root)`);
  return value;
}

function runScript(service, script, env) {
  const result = spawnSync(process.execPath, [script], {
    cwd: join(root, service),
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${service} ${script} failed:\n${result.stdout}\n${result.stderr}`);
}

function startService(service, env, logDir) {
  const log = createWriteStream(join(logDir, `${service}.log`));
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: join(root, service),
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

async function waitUntilReady(baseUrl, child, name) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}; see its log`);
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become ready at ${baseUrl}`);
}

/** Relay that forwards to `target` unless told to refuse the next N requests with 503. */
function startWebhookRelay(targetPort) {
  const relay = { refuseNext: 0, seen: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry = { webhookId: req.headers['webhook-id'], refused: false, status: 0 };
      relay.seen.push(entry);
      if (relay.refuseNext > 0) {
        relay.refuseNext -= 1;
        entry.refused = true;
        entry.status = 503;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('receiver unavailable');
        return;
      }
      const forward = httpRequest(
        { host: '127.0.0.1', port: targetPort, path: req.url, method: req.method, headers: req.headers },
        (upstream) => {
          entry.status = upstream.statusCode;
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  return { relay, server };
}

/** Starts both services on fresh ports; `seed` also loads each service's seed data. */
export async function startStack({ seed = false, name = 'stack' } = {}) {
  const paymentDb = required('XS_PAYMENT_DATABASE_URL');
  const subscriptionDb = required('XS_SUBSCRIPTION_DATABASE_URL');
  const logDir = join(root, '.data', 'cross-service-logs', name);
  mkdirSync(logDir, { recursive: true });

  const [paymentPort, subscriptionPort, relayPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const { relay, server } = startWebhookRelay(subscriptionPort);
  await new Promise((r) => server.listen(relayPort, '127.0.0.1', r));

  const paymentEnv = {
    PORT: String(paymentPort),
    DATABASE_URL: paymentDb,
    API_KEYS: PAYMENT_API_KEY,
    WEBHOOK_URL: `http://127.0.0.1:${relayPort}/v1/webhooks/payments`,
    WEBHOOK_SECRET,
    WEBHOOK_RETRY_SCHEDULE: '300ms,600ms,1s,2s',
    SIMULATION_DELAY_MS: '50',
    WORKER_POLL_INTERVAL_MS: '100',
  };
  const subscriptionEnv = {
    PORT: String(subscriptionPort),
    DATABASE_URL: subscriptionDb,
    ADMIN_API_KEYS: ADMIN_KEY,
    PAYMENT_SERVICE_URL: `http://127.0.0.1:${paymentPort}`,
    PAYMENT_SERVICE_API_KEY: PAYMENT_API_KEY,
    PAYMENT_WEBHOOK_SECRETS: WEBHOOK_SECRET,
    OUTBOX_POLL_INTERVAL_MS: '100',
    TEST_CLOCK_ENABLED: 'true',
  };
  for (const [service, env] of [
    ['payment-service', paymentEnv],
    ['subscription-service', subscriptionEnv],
  ]) {
    runScript(service, 'scripts/migrate.cjs', env);
    if (seed) runScript(service, 'dist/seed.js', env);
  }
  const payment = startService('payment-service', paymentEnv, logDir);
  const subscription = startService('subscription-service', subscriptionEnv, logDir);
  const paymentUrl = `http://127.0.0.1:${paymentPort}`;
  const subscriptionUrl = `http://127.0.0.1:${subscriptionPort}`;
  try {
    await Promise.all([
      waitUntilReady(paymentUrl, payment, 'payment-service'),
      waitUntilReady(subscriptionUrl, subscription, 'subscription-service'),
    ]);
  } catch (error) {
    payment.kill('SIGKILL');
    subscription.kill('SIGKILL');
    server.close();
    throw error;
  }

  return {
    relay,
    paymentUrl,
    subscriptionUrl,
    adminKey: ADMIN_KEY,
    paymentKey: PAYMENT_API_KEY,
    paymentApi: client(paymentUrl, PAYMENT_API_KEY),
    subscriptionApi: (key = ADMIN_KEY) => client(subscriptionUrl, key),
    logDir,
    async stop() {
      await Promise.all([stopProcess(payment), stopProcess(subscription)]);
      await new Promise((r) => server.close(r));
    },
  };
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function client(baseUrl, apiKey) {
  const call = async (method, path, body, headers = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (path, headers) => call('GET', path, undefined, headers),
    post: (path, body, headers) => call('POST', path, body, headers),
    patch: (path, body, headers) => call('PATCH', path, body, headers),
  };
}

/** Polls `probe` until it returns a truthy value; fails with the last value seen. */
export async function eventually(probe, { timeoutMs = 15_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
