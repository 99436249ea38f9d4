// Phase 1, references measured in the same run: what this machine does with no service code at all.
//   - bare Fastify (the services' version) with one JSON handler, in its own node process;
//   - Fastify + raw pg (pg.Pool, 10 connections): one primary-key read of `plans` per request;
//   - PostgreSQL alone: single-row INSERT commits/s and select-only TPS (pgbench, or raw pg from Node).
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/postgres.mjs';
import { DATABASES } from '../lib/database.mjs';
import { PLANS } from '../lib/fixtures.mjs';
import { measured, measureEndpoint } from '../lib/measure.mjs';
import { postgresWorkloads } from '../lib/pgbench.mjs';
import { processTicks } from '../lib/procfs.mjs';
import { startProcess, stopProcess } from '../lib/processes.mjs';
import { fmtLabelled, fmtLoad } from '../lib/report.mjs';
import { fmt, fmtLatency, per } from '../lib/stats.mjs';

async function startReferenceServer(ctx, script, env) {
  const port = await freePort();
  const child = startProcess(script, process.execPath, [join(ctx.root, 'bench', 'reference', script)], {
    env: { ...env, PORT: String(port) },
    logFile: join(ctx.logDir, script.replace('.mjs', '.log')),
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (
      await fetch(url).then(
        () => true,
        () => false,
      )
    )
      return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopProcess(child);
  throw new Error(`reference server ${script} did not start; see ${ctx.logDir}`);
}

async function httpReference(ctx, { measurement, script, env = {} }) {
  const { child, url } = await startReferenceServer(ctx, script, env);
  try {
    const m = await measureEndpoint(ctx, {
      what: measurement,
      url,
      seconds: ctx.durations.httpSeconds,
      cpuTargets: { ref: () => processTicks(child.pid), pg: ctx.cpu.pg },
    });
    const row = m && {
      phase: '1 references',
      measurement,
      rate: `${fmt(m.rps)} req/s`,
      latency: fmtLatency({ p50: m.p50Ms, p95: m.p95Ms, p99: m.p99Ms }),
      cpu: fmtLabelled(m.cpuMsPerRequest),
      notes: `${ctx.loadTool} -c50, ${fmt(m.requests, { digits: 0 })} requests`,
      load: fmtLoad(m.loadStart, m.loadEnd),
    };
    return { row, data: m };
  } finally {
    await stopProcess(child);
  }
}

async function postgresReference(ctx, workload) {
  await workload.prepare();
  const m = await measured({ pg: ctx.cpu.pg }, () => workload.run(ctx.durations.pgbenchSeconds));
  const r = m.result;
  if (r.failed > 0) ctx.problem(`PostgreSQL reference "${workload.name}": ${r.failed} failed transactions`);
  return {
    row: {
      phase: '1 references',
      measurement: `PostgreSQL ${workload.name}`,
      rate: `${fmt(r.tps)} tx/s`,
      latency: `avg ${fmt(r.latencyAvgMs)}`,
      cpu: fmtLabelled({ pg: per(m.cpuMs.pg, r.transactions) }),
      notes: `${r.tool}, 8 clients`,
      load: fmtLoad(m.loadStart, m.loadEnd),
    },
    data: { ...r, cpuMs: m.cpuMs, loadStart: m.loadStart, loadEnd: m.loadEnd },
  };
}

export default {
  name: 'references',
  title: '1. References (same run)',
  async run(ctx) {
    const bare = await httpReference(ctx, { measurement: 'bare Fastify GET / (JSON)', script: 'bare-fastify.mjs' });
    ctx.bareFastifyRps = bare.data?.rps ?? null;
    const withPg = await httpReference(ctx, {
      measurement: 'Fastify + pg.Pool(10) PK read of plans',
      script: 'fastify-pg.mjs',
      env: { DATABASE_URL: ctx.server.urlFor(DATABASES.subscription), PLAN_ID: PLANS.starterMonthly },
    });
    const workloads = postgresWorkloads({
      url: ctx.server.urlFor(DATABASES.reference),
      workDir: ctx.runDir,
      pgbench: ctx.pgbench,
    });
    const postgres = [];
    for (const workload of workloads) postgres.push(await postgresReference(ctx, workload));
    return {
      rows: [bare.row, withPg.row, ...postgres.map((p) => p.row)].filter(Boolean),
      data: { bareFastify: bare.data, fastifyPg: withPg.data, postgres: postgres.map((p) => p.data) },
    };
  },
};
