// `npm start`: the whole platform on this machine without Docker.
// Installs what is missing, starts PostgreSQL (embedded, data kept in .data/postgres, unless
// PAYMENT_DATABASE_URL and SUBSCRIPTION_DATABASE_URL are given), migrates and seeds each
// service's database, builds and starts both services, prints URLs and demo keys.
// Ctrl-C (SIGINT) or SIGTERM stops the services first, then PostgreSQL.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SECRETS, serviceEnvironments } from './lib/services.mjs';

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

const environments = serviceEnvironments({
  paymentPort,
  subscriptionPort,
  paymentDb,
  subscriptionDb,
  secrets: demo,
  testClockEnabled: process.env.TEST_CLOCK_ENABLED ?? 'true',
});
const services = Object.entries(environments).map(([name, env]) => ({ name, env }));

const children = [];
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping services…');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.on('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  if (database && database.exitCode === null) {
    await new Promise((resolve) => {
      database.once('exit', resolve);
      database.kill('SIGTERM');
    });
  }
  console.log('[start] stopped');
  process.exit(code);
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

for (const service of services) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: join(root, service.name),
    env: { ...process.env, ...service.env },
    stdio: 'inherit',
  });
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`[start] ${service.name} exited with code ${code}`);
      void shutdown(1);
    }
  });
  children.push(child);
}

console.log(`
[start] subscription-service  http://localhost:${subscriptionPort}   Swagger UI: http://localhost:${subscriptionPort}/docs
[start] payment-service       http://localhost:${paymentPort}   Swagger UI: http://localhost:${paymentPort}/docs
[start] admin key (subscription-service): ${demo.adminKey}
[start] demo user keys: sk_user_demo_alice_0001, sk_user_demo_bob_0001
[start] payment-service API key:          ${demo.paymentKey}
[start] Ctrl-C stops everything; data is kept in .data/postgres`);
