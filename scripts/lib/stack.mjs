// The one place that knows how to run the two services outside Docker: their demo keys, the environment each
// service gets, starting `node dist/main.js` and waiting until it is ready, stopping it, and the polling helper
// the harnesses share. Used by `npm start` (scripts/start.mjs), the cross-service tests (tests/cross-service/),
// the fault suite (tests/faults/) and the benchmark (bench/). docker-compose.yml sets the same variables;
// tests/cross-service/stack-env.test.mjs fails when the two drift apart or name a variable a service does not know.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Demo keys and webhook secret (docs/contracts.md, README samples): `adminKey` is the subscription-service admin
 * key, `paymentKey` the key subscription-service uses with payment-service, `webhookSecret` the `whsec_<base64>`
 * secret payment-service signs webhooks with (Standard Webhooks).
 */
export const DEMO_SECRETS = Object.freeze({
  adminKey: 'sk_admin_demo_subscription_0001',
  paymentKey: 'sk_payment_demo_0001',
  webhookSecret: 'whsec_ZGVtb19zZWNyZXRfZm9yX2xvY2FsX3dlYmhvb2tz',
});

/** Path of subscription-service's payment webhook endpoint, appended to the URL payment-service delivers to. */
export const WEBHOOK_PATH = '/v1/webhooks/payments';

/**
 * Optional settings of paymentServiceEnv: option name → variable of payment-service/src/config/app-config.ts.
 * An option left out (or undefined) keeps the service's own default. Durations in ms unless the name says
 * otherwise (`webhookRetrySchedule` is the service's duration list, e.g. '300ms,1s,2s'); `otlpEndpoint` turns
 * tracing on (OTLP/HTTP collector base URL, README: Tracing).
 */
export const PAYMENT_SERVICE_OPTIONS = Object.freeze({
  nodeEnv: 'NODE_ENV',
  simulationDelayMs: 'SIMULATION_DELAY_MS',
  webhookRetrySchedule: 'WEBHOOK_RETRY_SCHEDULE',
  webhookTimeoutMs: 'WEBHOOK_TIMEOUT_MS',
  workerPollIntervalMs: 'WORKER_POLL_INTERVAL_MS',
  rateLimitPerMinute: 'RATE_LIMIT_PER_MINUTE',
  swaggerEnabled: 'SWAGGER_ENABLED',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
});

/**
 * Optional settings of subscriptionServiceEnv: option name → variable of
 * subscription-service/src/config/environment.ts. An option left out keeps the service's own default.
 */
export const SUBSCRIPTION_SERVICE_OPTIONS = Object.freeze({
  nodeEnv: 'NODE_ENV',
  outboxPollIntervalMs: 'OUTBOX_POLL_INTERVAL_MS',
  billingPollIntervalMs: 'BILLING_POLL_INTERVAL_MS',
  httpTimeoutMs: 'HTTP_TIMEOUT_MS',
  rateLimitPerMinute: 'RATE_LIMIT_PER_MINUTE',
  webhookRateLimitPerMinute: 'WEBHOOK_RATE_LIMIT_PER_MINUTE',
  swaggerEnabled: 'SWAGGER_ENABLED',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
});

function withOptions(service, env, table, options) {
  for (const [option, value] of Object.entries(options)) {
    const variable = table[option];
    if (!variable)
      throw new TypeError(`unknown ${service} option "${option}" (known: ${Object.keys(table).join(', ')})`);
    if (value !== undefined) env[variable] = String(value);
  }
  return env;
}

/**
 * Environment of payment-service: the variables docker-compose.yml sets, plus the given options.
 * @param {object} settings
 * @param {number|string} settings.port  port to listen on (127.0.0.1 or any)
 * @param {string} settings.databaseUrl  postgresql:// URL of its own database
 * @param {string} settings.subscriptionServiceUrl  base URL webhooks go to (subscription-service, or a proxy in front
 *   of it); WEBHOOK_PATH is appended
 * @param {{ paymentKey: string, webhookSecret: string }} [settings.secrets]  DEMO_SECRETS by default
 * @param {string} [settings.logLevel]  pino level, 'info' when undefined
 * @param {string} [settings.trustedProxies]  TRUSTED_PROXIES (addresses/CIDRs whose X-Forwarded-For is believed), none
 *   when undefined
 * @param {number|string} [settings.metricsPort]  METRICS_PORT, where GET /metrics is served; 0 (not served) when
 *   undefined, so several services on one host never collide on the services' default 9464
 * @param {...*} settings.options  any of PAYMENT_SERVICE_OPTIONS, e.g. `simulationDelayMs: 0`
 * @returns {Record<string, string>} variable → value, every value a string
 * @throws {TypeError} for an option that is not in PAYMENT_SERVICE_OPTIONS
 */
export function paymentServiceEnv({
  port,
  databaseUrl,
  subscriptionServiceUrl,
  secrets = DEMO_SECRETS,
  logLevel,
  trustedProxies,
  metricsPort,
  ...options
}) {
  const env = {
    PORT: String(port),
    METRICS_PORT: String(metricsPort ?? 0),
    DATABASE_URL: databaseUrl,
    API_KEYS: secrets.paymentKey,
    WEBHOOK_URL: `${subscriptionServiceUrl}${WEBHOOK_PATH}`,
    WEBHOOK_SECRET: secrets.webhookSecret,
    // Every stack started from here is a demo or test setup: Swagger names the demo keys (as in docker-compose.yml).
    DEMO_MODE: 'true',
    TRUSTED_PROXIES: trustedProxies ?? '',
    LOG_LEVEL: logLevel ?? 'info',
    // Tracing off unless the `otlpEndpoint` option is given (as in docker-compose.yml).
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
  };
  return withOptions('payment-service', env, PAYMENT_SERVICE_OPTIONS, options);
}

/**
 * Environment of subscription-service: the variables docker-compose.yml sets, plus the given options.
 * @param {object} settings
 * @param {number|string} settings.port  port to listen on
 * @param {string} settings.databaseUrl  postgresql:// URL of its own database
 * @param {string} settings.paymentServiceUrl  base URL of payment-service (or a proxy in front of it)
 * @param {{ adminKey: string, paymentKey: string, webhookSecret: string }} [settings.secrets]  DEMO_SECRETS by default
 * @param {string} [settings.logLevel]  pino level, 'info' when undefined
 * @param {string} [settings.trustedProxies]  TRUSTED_PROXIES, none when undefined
 * @param {number|string} [settings.metricsPort]  METRICS_PORT; 0 (not served) when undefined
 * @param {boolean|string} [settings.testClockEnabled]  the admin test clock; on (as in every demo setup) when undefined
 * @param {...*} settings.options  any of SUBSCRIPTION_SERVICE_OPTIONS, e.g. `httpTimeoutMs: 1500`
 * @returns {Record<string, string>} variable → value, every value a string
 * @throws {TypeError} for an option that is not in SUBSCRIPTION_SERVICE_OPTIONS
 */
export function subscriptionServiceEnv({
  port,
  databaseUrl,
  paymentServiceUrl,
  secrets = DEMO_SECRETS,
  logLevel,
  trustedProxies,
  testClockEnabled,
  metricsPort,
  ...options
}) {
  const env = {
    PORT: String(port),
    METRICS_PORT: String(metricsPort ?? 0),
    DATABASE_URL: databaseUrl,
    ADMIN_API_KEYS: secrets.adminKey,
    PAYMENT_SERVICE_URL: paymentServiceUrl,
    PAYMENT_SERVICE_API_KEY: secrets.paymentKey,
    PAYMENT_WEBHOOK_SECRETS: secrets.webhookSecret,
    TEST_CLOCK_ENABLED: String(testClockEnabled ?? true),
    DEMO_MODE: 'true',
    TRUSTED_PROXIES: trustedProxies ?? '',
    LOG_LEVEL: logLevel ?? 'info',
    // Tracing off unless the `otlpEndpoint` option is given (as in docker-compose.yml).
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
  };
  return withOptions('subscription-service', env, SUBSCRIPTION_SERVICE_OPTIONS, options);
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` (sync or async) until `isDone(value)`, pausing `intervalMs` between calls, and resolves with that
 * value. The probe runs at least once, even with `timeoutMs` 0. When `timeoutMs` has passed it rejects with
 * "timed out waiting for <what>", or, with `lastOnTimeout`, resolves with the last value seen (so a check can
 * report what it observed). An error thrown by `probe` rejects at once.
 * @param {() => unknown | Promise<unknown>} probe
 * @param {{ timeoutMs?: number, intervalMs?: number, what?: string, isDone?: (value: unknown) => boolean,
 *   lastOnTimeout?: boolean }} [options]  timeoutMs 15000 and intervalMs 100 by default; isDone: truthy
 * @returns {Promise<unknown>} the probe's value
 */
export async function eventually(
  probe,
  { timeoutMs = 15_000, intervalMs = 100, what = 'condition', isDone = Boolean, lastOnTimeout = false } = {},
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await probe();
    if (isDone(last)) return last;
    if (Date.now() >= deadline) {
      if (lastOnTimeout) return last;
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Applies a service's migrations (`node scripts/migrate.cjs`) to the database of `env.DATABASE_URL` and, with
 * `seed`, loads its seed data (`node dist/seed.js`: the service must be built). Blocks until done.
 * @param {'payment-service' | 'subscription-service'} service
 * @param {Record<string, string>} env  from paymentServiceEnv / subscriptionServiceEnv
 * @param {{ seed?: boolean }} [options]
 * @throws {Error} with the script's output when a script fails
 */
export function migrateDatabase(service, env, { seed = false } = {}) {
  for (const script of seed ? ['scripts/migrate.cjs', 'dist/seed.js'] : ['scripts/migrate.cjs']) {
    const result = spawnSync(process.execPath, [script], {
      cwd: join(root, service),
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`${service} ${script} failed:\n${result.stdout}\n${result.stderr}`);
  }
}

/** Spawns a command with its output appended to `logFile`, or shared with this process's when there is none. */
function spawnWithLog(label, command, args, { cwd, env, logFile }) {
  const fd = logFile ? openSync(logFile, 'a') : undefined;
  const out = fd ?? 'inherit';
  try {
    return spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** One running `node dist/main.js` of a service; made by spawnService. */
export class ServiceProcess {
  constructor({ service, label, env, child, logFile }) {
    /** Folder name: 'payment-service' or 'subscription-service'. */
    this.service = service;
    /** Name used in messages and log file names (the service name unless told otherwise). */
    this.label = label;
    this.port = Number(env.PORT);
    this.url = `http://127.0.0.1:${this.port}`;
    this.child = child;
    this.pid = child.pid;
    this.logFile = logFile;
    /** Resolves with { code, signal } when the process has ended, however it ended. */
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** True until the process has ended. */
  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Resolves when GET /health/ready answers 200 (polled every 200 ms).
   * @param {{ timeoutMs?: number }} [options]  60000 by default
   * @throws {Error} when the process ends first (or was never started) or is not ready within `timeoutMs`
   */
  async ready({ timeoutMs = 60_000 } = {}) {
    const where = this.logFile ? `; see ${this.logFile}` : '';
    await eventually(
      async () => {
        if (!this.running) {
          const { exitCode, signalCode } = this.child;
          throw new Error(
            `${this.label} ${signalCode ? `was killed by ${signalCode}` : `exited with code ${exitCode}`} during startup${where}`,
          );
        }
        try {
          return (await fetch(`${this.url}/health/ready`)).status === 200;
        } catch {
          return false; // not listening yet
        }
      },
      { timeoutMs, intervalMs: 200, what: `${this.label} to be ready at ${this.url} (${timeoutMs} ms)${where}` },
    );
  }

  /**
   * Graceful stop: SIGTERM, then SIGKILL if it is still running after `graceMs`. Resolves when it has ended
   * (at once when it already had).
   * @param {{ graceMs?: number }} [options]  10000 by default
   */
  async stop({ graceMs = 10_000 } = {}) {
    if (!this.running) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }

  /** kill -9: no shutdown hooks run. Resolves when the process has ended. */
  async kill() {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * Starts `node dist/main.js` of a service (built beforehand) without waiting for it; call `ready()` on the result.
 * Its environment is this process's, overlaid with `env`.
 * @param {'payment-service' | 'subscription-service'} service  folder name
 * @param {Record<string, string>} env  from paymentServiceEnv / subscriptionServiceEnv (PORT gives its URL)
 * @param {object} [options]
 * @param {string} [options.label]  name in messages; the service name by default
 * @param {string} [options.logFile]  its stdout and stderr are appended here; without one they go to this
 *   process's own output
 * @param {string[]} [options.nodeArgs]  node flags placed before dist/main.js (e.g. --cpu-prof)
 * @param {(label: string, command: string, args: string[], o: { cwd: string, env: object, logFile?: string })
 *   => import('node:child_process').ChildProcess} [options.spawnProcess]  how to spawn it (the benchmark passes
 *   its own, which tracks every child); the default spawns a plain child process
 * @returns {ServiceProcess}
 */
export function spawnService(
  service,
  env,
  { label = service, logFile, nodeArgs = [], spawnProcess = spawnWithLog } = {},
) {
  const child = spawnProcess(label, process.execPath, [...nodeArgs, 'dist/main.js'], {
    cwd: join(root, service),
    env,
    logFile,
  });
  return new ServiceProcess({ service, label, env, child, logFile });
}

/**
 * spawnService, then waits until the service is ready. On failure the process is killed before the error is
 * rethrown, so nothing is left running.
 * @param {'payment-service' | 'subscription-service'} service
 * @param {Record<string, string>} env
 * @param {object} [options]  as spawnService, plus `readyTimeoutMs` (60000 by default)
 * @returns {Promise<ServiceProcess>} a service that answers GET /health/ready with 200
 * @throws {Error} as ServiceProcess.ready
 */
export async function startService(service, env, { readyTimeoutMs, ...options } = {}) {
  const started = spawnService(service, env, options);
  try {
    await started.ready({ timeoutMs: readyTimeoutMs });
  } catch (error) {
    await started.kill();
    throw error;
  }
  return started;
}
