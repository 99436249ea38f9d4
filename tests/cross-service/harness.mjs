// Starts the two real services as separate processes, each on its own database, with a
// small HTTP relay in front of the subscription service's webhook endpoint so a test can
// make the receiver refuse deliveries (as a load balancer in front of a restarting service would).
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/lib/postgres.mjs';
import {
  DEMO_SECRETS,
  migrateDatabase,
  paymentServiceEnv,
  spawnService,
  subscriptionServiceEnv,
} from '../../scripts/lib/stack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (run through "npm test" at the repository root)`);
  return value;
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

/**
 * Starts both services on fresh ports; `seed` also loads each service's seed data; `otlpEndpoint` (an OTLP/HTTP
 * receiver's base URL) turns tracing on in both.
 */
export async function startStack({ seed = false, name = 'stack', otlpEndpoint } = {}) {
  const paymentDb = required('XS_PAYMENT_DATABASE_URL');
  const subscriptionDb = required('XS_SUBSCRIPTION_DATABASE_URL');
  // Fresh logs each run (the services append to them).
  const logDir = join(root, '.data', 'cross-service-logs', name);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });

  const [paymentPort, subscriptionPort, relayPort, paymentMetricsPort, subscriptionMetricsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const { relay, server } = startWebhookRelay(subscriptionPort);
  await new Promise((r) => server.listen(relayPort, '127.0.0.1', r));

  // Short retry and poll intervals so a flow settles in a second or two.
  const paymentEnv = paymentServiceEnv({
    port: paymentPort,
    databaseUrl: paymentDb,
    subscriptionServiceUrl: `http://127.0.0.1:${relayPort}`,
    metricsPort: paymentMetricsPort,
    nodeEnv: 'test',
    webhookRetrySchedule: '300ms,600ms,1s,2s',
    simulationDelayMs: 50,
    workerPollIntervalMs: 100,
    otlpEndpoint,
  });
  const subscriptionEnv = subscriptionServiceEnv({
    port: subscriptionPort,
    databaseUrl: subscriptionDb,
    paymentServiceUrl: `http://127.0.0.1:${paymentPort}`,
    metricsPort: subscriptionMetricsPort,
    nodeEnv: 'test',
    outboxPollIntervalMs: 100,
    otlpEndpoint,
  });
  migrateDatabase('payment-service', paymentEnv, { seed });
  migrateDatabase('subscription-service', subscriptionEnv, { seed });
  const payment = spawnService('payment-service', paymentEnv, { logFile: join(logDir, 'payment-service.log') });
  const subscription = spawnService('subscription-service', subscriptionEnv, {
    logFile: join(logDir, 'subscription-service.log'),
  });
  try {
    await Promise.all([payment.ready(), subscription.ready()]);
  } catch (error) {
    await Promise.all([payment.kill(), subscription.kill()]);
    server.close();
    throw error;
  }
  const paymentUrl = payment.url;
  const subscriptionUrl = subscription.url;

  return {
    relay,
    paymentUrl,
    subscriptionUrl,
    // GET /metrics of each service (its own port, apart from the API).
    paymentMetricsUrl: `http://127.0.0.1:${paymentMetricsPort}/metrics`,
    subscriptionMetricsUrl: `http://127.0.0.1:${subscriptionMetricsPort}/metrics`,
    // The documented demo keys, so README samples can be replayed verbatim (see readme-samples.test.mjs).
    adminKey: DEMO_SECRETS.adminKey,
    paymentKey: DEMO_SECRETS.paymentKey,
    paymentApi: client(paymentUrl, DEMO_SECRETS.paymentKey),
    subscriptionApi: (key = DEMO_SECRETS.adminKey) => client(subscriptionUrl, key),
    logDir,
    async stop() {
      await Promise.all([payment.stop(), subscription.stop()]);
      await new Promise((r) => server.close(r));
    },
  };
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
