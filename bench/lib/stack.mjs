// The two services under test, set up and started as `npm start` does (scripts/start.mjs): `npm run
// build`, `npm run migrate`, `npm run seed` in each service folder, then `node dist/main.js` with the
// environment of scripts/lib/services.mjs — plus the benchmark's own settings (BENCH_ENV below).
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/postgres.mjs';
import { DEMO_SECRETS, serviceEnvironments } from '../../scripts/lib/services.mjs';
import { runProcess, startProcess, stopProcess } from './processes.mjs';

/**
 * Added to each service's environment for the benchmark. The default rate limit (6000/min per client)
 * would answer the load generator with 429s, and the webhook limit (60000/min per address) the payment service at
 * its peak; no payment simulation delay, so the flow measures the
 * services rather than a sleep; LOG_LEVEL is the production default.
 */
const BENCH_ENV = {
  'payment-service': { LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000000', SIMULATION_DELAY_MS: '0' },
  'subscription-service': {
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '1000000000',
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000000',
  },
};

export const SECRETS = DEMO_SECRETS;

async function npmRun(root, service, script, env, logDir) {
  const { code, output } = await runProcess(`${service} ${script}`, 'npm', ['run', script], {
    cwd: join(root, service),
    env,
  });
  appendFileSync(join(logDir, `${service}-setup.log`), `\n$ npm run ${script}\n${output}`);
  if (code !== 0) throw new Error(`${service}: npm run ${script} failed (exit ${code}):\n${output.slice(-3000)}`);
}

/** `npm run build` in both services (they build in parallel: one tsc each). */
export async function buildServices(root, logDir) {
  await Promise.all(
    ['payment-service', 'subscription-service'].map((service) => npmRun(root, service, 'build', {}, logDir)),
  );
}

/** Environments for a stack on fresh ports over the given databases. */
export async function stackEnvironments({ paymentDb, subscriptionDb }) {
  const [paymentPort, subscriptionPort] = [await freePort(), await freePort()];
  const environments = serviceEnvironments({ paymentPort, subscriptionPort, paymentDb, subscriptionDb });
  for (const [service, extra] of Object.entries(BENCH_ENV)) Object.assign(environments[service], extra);
  return environments;
}

/** `npm run migrate` then `npm run seed` for one service. */
export async function migrateAndSeed(root, service, env, logDir) {
  await npmRun(root, service, 'migrate', env, logDir);
  await npmRun(root, service, 'seed', env, logDir);
}

/**
 * Starts `node dist/main.js` of a service (with --cpu-prof when `profileDir` is set), its output
 * appended to <logDir>/<label>.log, and waits for GET /health/ready.
 */
export async function startService(root, service, env, { label = service, logDir, profileDir }) {
  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}.cpuprofile`]
    : [];
  const logFile = join(logDir, `${label}.log`);
  const child = startProcess(label, process.execPath, [...profile, 'dist/main.js'], {
    cwd: join(root, service),
    env,
    logFile,
  });
  const url = `http://127.0.0.1:${env.PORT}`;
  await waitUntilReady(url, child, logFile);
  return {
    label,
    service,
    url,
    pid: child.pid,
    logFile,
    /** Resolves with a description ("exited with code 1", "killed by SIGTERM") when the process ends. */
    exited: child.exited.then(({ code, signal }) => (signal ? `killed by ${signal}` : `exited with code ${code}`)),
    stop: () => stopProcess(child, { graceMs: 15_000 }),
  };
}

async function waitUntilReady(url, child, logFile) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${child.name} exited during startup; see ${logFile}`);
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${child.name} was not ready at ${url} within 60 s; see ${logFile}`);
}
