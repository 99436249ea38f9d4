// `npm start`: the whole platform on this machine without Docker.
// Installs what is missing, starts PostgreSQL (embedded, data kept in .data/postgres, unless
// PAYMENT_DATABASE_URL and SUBSCRIPTION_DATABASE_URL are given), migrates and seeds each
// service's database, builds and starts both services, prints URLs and demo keys.
// Ctrl-C (SIGINT) or SIGTERM stops the services first, then PostgreSQL. The variables read here are the ones
// docker-compose.yml reads: ADMIN_API_KEYS, PAYMENT_API_KEY, WEBHOOK_SECRET, TEST_CLOCK_ENABLED, LOG_LEVEL,
// SUBSCRIPTION_PORT, PAYMENT_PORT, SUBSCRIPTION_METRICS_PORT (9464), PAYMENT_METRICS_PORT (9465).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SECRETS, paymentServiceEnv, spawnService, subscriptionServiceEnv } from './lib/stack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const install = spawnSync(process.execPath, [join(root, 'scripts/install.mjs')], { stdio: 'inherit' });
if (install.status !== 0) process.exit(install.status ?? 1);

const demo = {
  adminKey: process.env.ADMIN_API_KEYS ?? DEMO_SECRETS.adminKey,
  paymentKey: process.env.PAYMENT_API_KEY ?? DEMO_SECRETS.paymentKey,
  webhookSecret: process.env.WEBHOOK_SECRET ?? DEMO_SECRETS.webhookSecret,
};
const subscriptionPort = process.env.SUBSCRIPTION_PORT ?? '3000';
const paymentPort = process.env.PAYMENT_PORT ?? '3001';
// Both services run on this host: each gets its own metrics port (GET /metrics).
const subscriptionMetricsPort = process.env.SUBSCRIPTION_METRICS_PORT ?? '9464';
const paymentMetricsPort = process.env.PAYMENT_METRICS_PORT ?? '9465';

function step(service, args, env) {
  const result = spawnSync('npm', args, {
    cwd: join(root, service),
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) throw new Error(`${service}: npm ${args.join(' ')} failed`);
}

// Embedded PostgreSQL runs in a detached child (its own process group): a terminal's Ctrl-C
// reaches this script and the services, and the database is stopped last, by us.
let database;
let paymentDb = process.env.PAYMENT_DATABASE_URL;
let subscriptionDb = process.env.SUBSCRIPTION_DATABASE_URL;
if (!paymentDb || !subscriptionDb) {
  mkdirSync(join(root, '.data'), { recursive: true });
  database = spawn(
    process.execPath,
    [
      join(root, 'scripts/lib/postgres-server.mjs'),
      join(root, '.data', 'postgres'),
      'payment_service',
      'subscription_service',
    ],
    { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const ready = await new Promise((resolve, reject) => {
    database.once('message', resolve);
    database.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with code ${code}`)));
  });
  paymentDb = ready.urls.payment_service;
  subscriptionDb = ready.urls.subscription_service;
  console.log(`[start] ${ready.description}`);
}

// payment-service first: it is set up and started first.
const services = [
  {
    name: 'payment-service',
    env: paymentServiceEnv({
      port: paymentPort,
      databaseUrl: paymentDb,
      subscriptionServiceUrl: `http://127.0.0.1:${subscriptionPort}`,
      metricsPort: paymentMetricsPort,
      secrets: demo,
      logLevel: process.env.LOG_LEVEL,
      trustedProxies: process.env.TRUSTED_PROXIES,
      otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
    }),
  },
  {
    name: 'subscription-service',
    env: subscriptionServiceEnv({
      port: subscriptionPort,
      databaseUrl: subscriptionDb,
      paymentServiceUrl: `http://127.0.0.1:${paymentPort}`,
      metricsPort: subscriptionMetricsPort,
      secrets: demo,
      logLevel: process.env.LOG_LEVEL,
      trustedProxies: process.env.TRUSTED_PROXIES,
      otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
      testClockEnabled: process.env.TEST_CLOCK_ENABLED,
    }),
  },
];

const children = [];
let stopping; // the shutdown under way, once one has begun: every later call waits for it (it ends the process)
function shutdown(code) {
  stopping ??= (async () => {
    console.log('\n[start] stopping services…');
    await Promise.all(children.map((child) => child.stop()));
    if (database && database.exitCode === null) {
      await new Promise((resolve) => {
        database.once('exit', resolve);
        database.kill('SIGTERM');
      });
    }
    console.log('[start] stopped');
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  for (const service of services) {
    step(service.name, ['run', 'build'], {});
    step(service.name, ['run', 'migrate'], service.env);
    step(service.name, ['run', 'seed'], service.env);
  }
} catch (error) {
  console.error(`[start] ${error.message}`);
  await shutdown(1);
}

// Output goes to this terminal. Each child is known to shutdown() from the moment it is spawned.
for (const service of services) {
  const child = spawnService(service.name, service.env);
  void child.exited.then(({ code, signal }) => {
    if (!stopping) {
      console.error(`[start] ${service.name} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`);
      void shutdown(1);
    }
  });
  children.push(child);
}
try {
  await Promise.all(children.map((child) => child.ready()));
} catch (error) {
  if (!stopping) console.error(`[start] ${error.message}`);
  await shutdown(1);
}

console.log(`
[start] subscription-service  http://localhost:${subscriptionPort}   Swagger UI: http://localhost:${subscriptionPort}/docs
[start] payment-service       http://localhost:${paymentPort}   Swagger UI: http://localhost:${paymentPort}/docs
[start] admin key (subscription-service): ${demo.adminKey}
[start] demo user keys: sk_user_demo_alice_0001, sk_user_demo_bob_0001
[start] payment-service API key:          ${demo.paymentKey}
[start] Ctrl-C stops everything; data is kept in .data/postgres`);
