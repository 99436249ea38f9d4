// `npm run bench`: benchmarks the two services on this machine (see bench/README.md).
// Fresh databases (embedded PostgreSQL, or BENCH_DATABASE_URL), both services built, migrated, seeded
// and started as `npm start` does, then the phases in order; each prints its rows as it completes, and
// the run ends with one markdown table and bench/results/<timestamp>.json (+ latest.json).
// Exits 1 only when something is functionally broken (never on a number).
//   node bench/run.mjs [--quick] [--profile] [--only references,reads,...] [--concurrency 32] [--load-tool wrk|autocannon]
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connect,
  databaseCounters,
  DATABASES,
  findPostmasterPid,
  provisionServer,
  serverVersion,
} from './lib/database.mjs';
import { chooseLoadTool } from './lib/load.mjs';
import { findPgbench } from './lib/pgbench.mjs';
import { loadAverage, postgresTicks, processTicks } from './lib/procfs.mjs';
import { killAllNow, stopAll } from './lib/processes.mjs';
import { fmtLoad, headerMarkdown, markdownTable, reportMarkdown, runHeader, writeResults } from './lib/report.mjs';
import { buildServices, migrateAndSeed, stackEnvironments, startService } from './lib/stack.mjs';
import closedLoop from './phases/closed-loop.mjs';
import openLoop from './phases/open-loop.mjs';
import reads from './phases/reads.mjs';
import references from './phases/references.mjs';
import renewals from './phases/renewals.mjs';
import rss, { idleRss } from './phases/rss.mjs';
import scale from './phases/scale.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PHASES = [references, reads, closedLoop, openLoop, renewals, scale, rss];

const DURATIONS = {
  full: {
    warmUpSeconds: 3,
    httpSeconds: 10,
    pgbenchSeconds: 10,
    closedLoopSubscribes: 2000,
    openLoop: [20, 50, 100].map((rate) => ({ rate, seconds: 20 })),
    renewals: 10_000,
    scaleSizes: [1_000, 100_000],
  },
  quick: {
    warmUpSeconds: 1,
    httpSeconds: 3,
    pgbenchSeconds: 3,
    closedLoopSubscribes: 200,
    openLoop: [20, 50].map((rate) => ({ rate, seconds: 5 })),
    renewals: 500,
    scaleSizes: [1_000, 100_000],
  },
};

const USAGE = `usage: node bench/run.mjs [--quick] [--profile] [--only <phase,...>] [--concurrency <n>] [--load-tool wrk|autocannon]
phases: ${PHASES.map((p) => p.name).join(', ')}
env: BENCH_DATABASE_URL=postgresql://user:pass@host:port/postgres  (use that server instead of an embedded one)`;

function parseOptions(argv) {
  const options = {
    quick: false,
    profile: false,
    phases: PHASES.map((p) => p.name),
    concurrency: 32,
    loadTool: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i] ?? fail(`${argv[i - 1]} needs a value`);
    switch (argv[i]) {
      case '--quick':
        options.quick = true;
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--only':
        options.phases = value()
          .split(',')
          .map((s) => s.trim());
        break;
      case '--concurrency':
        options.concurrency = Number(value());
        break;
      case '--load-tool':
        options.loadTool = value();
        break;
      case '--help':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        fail(`unknown argument ${argv[i]}`);
    }
  }
  const unknown = options.phases.filter((name) => !PHASES.some((p) => p.name === name));
  if (unknown.length) fail(`unknown phase(s): ${unknown.join(', ')}`);
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
    fail('--concurrency must be a positive integer');
  if (options.loadTool && !['wrk', 'autocannon'].includes(options.loadTool))
    fail('--load-tool must be wrk or autocannon');
  return options;
}

function fail(message) {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** "5.11.3 (as in subscription-service/package-lock.json)", or a warning when the reference differs. */
function fastifyCheck(ctx) {
  const bench = createRequire(import.meta.url)('fastify/package.json').version;
  const lock = JSON.parse(readFileSync(join(root, 'subscription-service', 'package-lock.json'), 'utf8'));
  const services = lock.packages['node_modules/fastify']?.version;
  if (bench === services) return `${bench} (as in subscription-service/package-lock.json)`;
  ctx.warn(`the reference uses fastify ${bench} but the services use ${services}: update bench/package.json`);
  return `${bench} — services use ${services}`;
}

async function settle(promises) {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => r.value);
}

/** Database server, builds, migrations, seeds, both services, database clients and CPU probes. */
async function setUp(ctx) {
  ctx.loadTool = chooseLoadTool(ctx.options.loadTool);
  ctx.pgbench = findPgbench();
  console.log(`[bench] load tool: ${ctx.loadTool}; building both services and starting PostgreSQL…`);
  await settle([
    provisionServer({ givenUrl: process.env.BENCH_DATABASE_URL, root, logDir: ctx.logDir }).then(
      (server) => (ctx.server = server),
    ),
    buildServices(root, ctx.logDir),
  ]);
  const url = (name) => ctx.server.urlFor(DATABASES[name]);
  ctx.envs = await stackEnvironments({ paymentDb: url('payment'), subscriptionDb: url('subscription') });
  for (const [service, env] of Object.entries(ctx.envs)) await migrateAndSeed(root, service, env, ctx.logDir);
  const [payment, subscription] = await settle(
    Object.entries(ctx.envs).map(([service, env]) =>
      startService(service, env, { logDir: ctx.logDir, profileDir: ctx.profileDir }),
    ),
  );
  ctx.services = { subscription, payment };
  // Rejects as soon as a service ends (a crash, or a signal from outside): the phase in progress is abandoned.
  ctx.serviceDied = new Promise((_, reject) => {
    for (const service of Object.values(ctx.services)) {
      service.exited.then((how) => {
        ctx.deadService ??= `${service.label} ${how} during the run (not stopped by the benchmark); see ${service.logFile}`;
        reject(new Error(ctx.deadService));
      });
    }
  });
  ctx.serviceDied.catch(() => undefined); // it also rejects at the teardown, when nobody waits on it
  ctx.dbs = {
    subscription: await connect(url('subscription')),
    payment: await connect(url('payment')),
    watcher: await connect(url('subscription')),
    stats: await connect(url('reference')),
  };
  const version = await serverVersion(ctx.dbs.stats);
  ctx.counters = databaseCounters(ctx.dbs.stats, version.num);
  await ctx.counters.read([DATABASES.subscription]); // first reading: finds out whether pg_stat_statements is loaded
  const postmasterPid = await findPostmasterPid(ctx.dbs.stats, url('reference'));
  ctx.cpu = {
    sub: () => processTicks(subscription.pid),
    pay: () => processTicks(payment.pid),
    pg: () => (postmasterPid ? postgresTicks(postmasterPid) : null),
  };
  ctx.rssAtStartup = ctx.options.phases.includes('rss') ? await idleRss(ctx) : null;
  return runHeader({
    root,
    started: ctx.started,
    loadTool:
      ctx.loadTool === 'wrk'
        ? 'wrk -t2 -c50'
        : `autocannon -c50${ctx.options.loadTool === 'autocannon' ? '' : ' (wrk not found)'}`,
    postgres: `${version.version}, ${ctx.server.description}; CPU ${postmasterPid ? `measured (postmaster pid ${postmasterPid})` : 'n/a (server not on this machine or not readable)'}; pg_stat_statements ${ctx.counters.statementsAvailable ? 'loaded' : 'not loaded (statements n/a)'}`,
    pgbench: ctx.pgbench ?? 'pgbench not found: PostgreSQL references driven by raw pg from Node',
    fastify: fastifyCheck(ctx),
    options: ctx.options,
  });
}

async function runPhase(ctx, phase) {
  console.log(`\n### ${phase.title}`);
  const loadStart = loadAverage();
  const started = Date.now();
  let outcome;
  try {
    outcome = await Promise.race([phase.run(ctx), ctx.serviceDied]);
  } catch (error) {
    ctx.problem(`${phase.name}: ${error.message === ctx.deadService ? error.message : (error.stack ?? error)}`);
    outcome = { rows: [], data: { error: String(error.message ?? error) } };
  }
  const seconds = (Date.now() - started) / 1000;
  const loadEnd = loadAverage();
  ctx.rows.push(...outcome.rows);
  ctx.phases.push({ name: phase.name, title: phase.title, seconds, loadStart, loadEnd, data: outcome.data });
  if (outcome.rows.length) console.log(markdownTable(outcome.rows));
  console.log(`(${phase.name}: ${seconds.toFixed(1)} s; load average 1 min ${fmtLoad(loadStart, loadEnd)})`);
}

/** Stops everything exactly once: database clients, services and other children, then the database server. */
function tearDown(ctx) {
  ctx.tearingDown ??= (async () => {
    for (const client of Object.values(ctx.dbs ?? {})) await client.end().catch(() => undefined);
    await stopAll({ last: ctx.server?.serverProcess ? [ctx.server.serverProcess] : [] });
    await ctx.server?.stop().catch((error) => ctx.problem(`stopping PostgreSQL: ${error.message}`));
  })();
  return ctx.tearingDown;
}

function createContext(options) {
  const started = new Date();
  const stamp = started.toISOString().replaceAll(':', '-');
  const runDir = join(here, 'results', stamp);
  const ctx = {
    root,
    options,
    stamp,
    started,
    runDir,
    logDir: join(runDir, 'logs'),
    profileDir: options.profile ? join(runDir, 'profiles') : undefined,
    durations: options.quick ? DURATIONS.quick : DURATIONS.full,
    header: null,
    interrupted: null,
    rows: [],
    phases: [],
    problems: [],
    warnings: [],
    problem(message) {
      if (ctx.interrupted) return; // what fails while everything is being stopped is not a finding
      ctx.problems.push(message);
      console.error(`[bench] PROBLEM ${message}`);
    },
    warn(message) {
      ctx.warnings.push(message);
      console.warn(`[bench] warning: ${message}`);
    },
  };
  mkdirSync(ctx.logDir, { recursive: true });
  if (ctx.profileDir) mkdirSync(ctx.profileDir, { recursive: true });
  return ctx;
}

/** Prints the report, writes the results and exits — once, whether the run ended or was interrupted. */
function finish(ctx) {
  if (ctx.finished) return;
  ctx.finished = true;
  const wallSeconds = (Date.now() - ctx.started.getTime()) / 1000;
  const markdown = reportMarkdown({
    header: ctx.header,
    rows: ctx.rows,
    warnings: ctx.warnings,
    problems: ctx.problems,
  });
  console.log(`\n# Results${ctx.interrupted ? ` (interrupted by ${ctx.interrupted})` : ''}\n\n${markdown}\n`);
  const result = {
    header: ctx.header,
    interrupted: ctx.interrupted,
    wallSeconds,
    phases: ctx.phases,
    rows: ctx.rows,
    warnings: ctx.warnings,
    problems: ctx.problems,
  };
  const file = writeResults(join(here, 'results'), ctx.stamp, result, markdown);
  const outcome = ctx.interrupted ? 'interrupted' : ctx.problems.length ? 'FAILED' : 'done';
  console.log(`[bench] ${outcome} after ${wallSeconds.toFixed(0)} s; results ${file}; logs ${ctx.logDir}`);
  process.exit(ctx.interrupted ? 130 : ctx.problems.length ? 1 : 0);
}

/** Ctrl-C / SIGTERM: stop every child (services first, PostgreSQL last), report what was measured, exit 130. */
function handleSignals(ctx) {
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (ctx.interrupted) process.exit(130); // a second signal: no more waiting ('exit' kills what is left)
      ctx.interrupted = signal;
      console.error(`\n[bench] ${signal}: stopping the services and PostgreSQL…`);
      void tearDown(ctx).finally(() => finish(ctx));
    });
  }
}

async function main() {
  const ctx = createContext(parseOptions(process.argv.slice(2)));
  handleSignals(ctx);
  try {
    ctx.header = await setUp(ctx);
    console.log(`\n${headerMarkdown(ctx.header)}\n- logs: ${ctx.logDir}`);
    for (const phase of PHASES.filter((p) => ctx.options.phases.includes(p.name))) {
      if (ctx.interrupted || ctx.deadService) break;
      await runPhase(ctx, phase);
    }
  } catch (error) {
    ctx.problem(`setup: ${error.stack ?? error}`);
  } finally {
    await tearDown(ctx);
  }
  finish(ctx);
}

await main();
