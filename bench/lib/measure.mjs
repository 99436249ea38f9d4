// One measurement window: load average and CPU of chosen processes sampled before and after; the
// HTTP endpoint measurement shared by the reference, read and scale phases; and the cost of one
// operation of a flow (CPU per process, transactions and statements per database).
import { DATABASES, waitForQuiet } from './database.mjs';
import { runLoad } from './load.mjs';
import { cpuMeter, loadAverage } from './procfs.mjs';
import { per } from './stats.mjs';

/** Runs `fn` between two samples of the load average and of CPU (ms) of `cpuTargets` ({ name: () => ticks }). */
export async function measured(cpuTargets, fn) {
  const loadStart = loadAverage();
  const meter = cpuMeter(cpuTargets);
  meter.start();
  const result = await fn();
  const cpuMs = meter.stop();
  return { result, cpuMs, loadStart, loadEnd: loadAverage() };
}

/**
 * Waits until the services' databases are quiet: a load generator stops with requests in flight, and
 * the services finish them (and their queries) after it has gone.
 */
async function quiesce(ctx) {
  if (!(await waitForQuiet(ctx.dbs.stats, Object.values(DATABASES))))
    ctx.warn('the databases were still busy 60 s after a load ended');
}

/** Loads `url` for `seconds` without measuring (JIT, caches, connection pools), then waits for quiet. */
export async function warmUp(ctx, { url, headers = {}, seconds }) {
  await runLoad(ctx.loadTool, { url, headers, seconds });
  await quiesce(ctx);
}

/**
 * GET `url` once (it must answer 200: anything else is reported as a problem and the endpoint is
 * skipped; its duration is kept as `probeMs`), warm it up for ctx.durations.warmUpSeconds, then load it for `seconds` with 50
 * connections while measuring CPU of `cpuTargets`. Any failed request during the load (status >= 400,
 * socket error, timeout) is reported as a problem. Returns the load figures plus CPU ms per request
 * per target, or null when skipped.
 */
export async function measureEndpoint(ctx, { what, url, headers = {}, seconds, cpuTargets }) {
  const t0 = performance.now();
  const probe = await fetch(url, { headers }).catch((error) => ({ status: `${error.cause?.code ?? error.message}` }));
  await probe.arrayBuffer?.();
  const probeMs = performance.now() - t0;
  if (probe.status !== 200) {
    ctx.problem(`${what}: GET ${url} answered ${probe.status} before the load (expected 200); not measured`);
    return null;
  }
  await warmUp(ctx, { url, headers, seconds: ctx.durations.warmUpSeconds });
  const { result, cpuMs, loadStart, loadEnd } = await measured(cpuTargets, () =>
    runLoad(ctx.loadTool, { url, headers, seconds }),
  );
  await quiesce(ctx);
  if (result.failed > 0)
    ctx.problem(
      `${what}: ${result.failed} of ${result.requests} requests failed during the load: ${JSON.stringify(result.failures)}`,
    );
  if (result.requests === 0)
    ctx.warn(
      `${what}: no request completed within the ${seconds} s load (one request alone took ${Math.round(probeMs)} ms)`,
    );
  const cpuMsPerRequest = Object.fromEntries(
    Object.entries(cpuMs).map(([name, ms]) => [name, per(ms, result.requests)]),
  );
  return { ...result, probeMs, cpuMs, cpuMsPerRequest, loadStart, loadEnd };
}

/**
 * Longer than PostgreSQL's PGSTAT_IDLE_INTERVAL (10 s): a backend that flushed its counters less than a
 * second before going idle reports the rest only 10 s later, so a reading taken sooner would count the
 * previous phase's transactions (thousands of reads) against this one.
 */
const SETTLE_MS = 11_000;
const MEASURED = { sub: DATABASES.subscription, pay: DATABASES.payment };

/** Transaction and statement counters of the two service databases ({ sub, pay }), read now. */
export async function serviceDbCounters(ctx) {
  const counters = await ctx.counters.read(Object.values(MEASURED));
  return Object.fromEntries(Object.entries(MEASURED).map(([label, name]) => [label, counters[name]]));
}

/** The same after a pause that lets every backend flush its pg_stat_database counters (they are flushed lazily; see SETTLE_MS). */
export async function settledServiceDbCounters(ctx) {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return serviceDbCounters(ctx);
}

/**
 * Cost of one operation (activation, renewal): CPU ms per process, and transactions and statements per
 * database, after subtracting `benchQueries` — the benchmark's own single-statement queries on the
 * subscription database (activation watcher, progress polls).
 */
export function costPerOperation({ cpuMs, before, after, operations, benchQueries }) {
  const delta = (label, key) => {
    if (after[label][key] === null || before[label][key] === null) return null;
    return after[label][key] - before[label][key] - (label === 'sub' ? benchQueries : 0);
  };
  const perDb = (key) =>
    Object.fromEntries(Object.keys(MEASURED).map((label) => [label, per(delta(label, key), operations)]));
  return {
    cpuMs: Object.fromEntries(Object.entries(cpuMs).map(([name, ms]) => [name, per(ms, operations)])),
    transactions: perDb('transactions'),
    statements: perDb('statements'),
  };
}
