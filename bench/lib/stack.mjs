// The two services under test, set up and started as `npm start` does (scripts/start.mjs): `npm run
// build`, `npm run migrate`, `npm run seed` in each service folder, then `node dist/main.js` with the
// environment of scripts/lib/stack.mjs — plus the benchmark's own settings (stackEnvironments below).
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/postgres.mjs';
import {
  paymentServiceEnv,
  startService as startServiceProcess,
  subscriptionServiceEnv,
} from '../../scripts/lib/stack.mjs';
import { runProcess, startProcess } from './processes.mjs';

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

/**
 * Environments for a stack on fresh ports over the given databases, keyed by service folder, payment-service first.
 * Besides `npm start`'s settings: the default rate limit (6000/min per client) would answer the load generator
 * with 429s; no payment simulation delay, so the flow measures the services rather than a sleep; LOG_LEVEL
 * stays at the production default (info).
 */
export async function stackEnvironments({ paymentDb, subscriptionDb }) {
  const [paymentPort, subscriptionPort] = [await freePort(), await freePort()];
  return {
    'payment-service': paymentServiceEnv({
      port: paymentPort,
      databaseUrl: paymentDb,
      subscriptionServiceUrl: `http://127.0.0.1:${subscriptionPort}`,
      rateLimitPerMinute: 1_000_000_000,
      simulationDelayMs: 0,
    }),
    'subscription-service': subscriptionServiceEnv({
      port: subscriptionPort,
      databaseUrl: subscriptionDb,
      paymentServiceUrl: `http://127.0.0.1:${paymentPort}`,
      rateLimitPerMinute: 1_000_000_000,
      webhookRateLimitPerMinute: 1_000_000_000,
    }),
  };
}

/** `npm run migrate` then `npm run seed` for one service. */
export async function migrateAndSeed(root, service, env, logDir) {
  await npmRun(root, service, 'migrate', env, logDir);
  await npmRun(root, service, 'seed', env, logDir);
}

/**
 * Starts `node dist/main.js` of a service (with --cpu-prof when `profileDir` is set) as a tracked child of the
 * benchmark (lib/processes.mjs), its output appended to <logDir>/<label>.log, and waits for GET /health/ready
 * (scripts/lib/stack.mjs; it is killed if it does not get there).
 */
export async function startService(service, env, { label = service, logDir, profileDir }) {
  const nodeArgs = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}.cpuprofile`]
    : [];
  const started = await startServiceProcess(service, env, {
    label,
    logFile: join(logDir, `${label}.log`),
    nodeArgs,
    spawnProcess: startProcess,
  });
  return {
    label,
    service,
    url: started.url,
    pid: started.pid,
    logFile: started.logFile,
    /** Resolves with a description ("exited with code 1", "killed by SIGTERM") when the process ends. */
    exited: started.exited.then(({ code, signal }) => (signal ? `killed by ${signal}` : `exited with code ${code}`)),
    stop: () => started.stop({ graceMs: 15_000 }),
  };
}
