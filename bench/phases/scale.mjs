// Phase 6, scale: the same reads with 1k and then 100k subscriptions in the subscription database.
// Earlier phases have already written thousands of subscriptions to the main database, so this phase
// uses its own fresh database (bench_scale, migrated and seeded) served by a second subscription-service
// process with the same build and environment. The table is padded with ended subscriptions (SQL
// fixture, never due for the billing worker); the owner read is the seeded customer Bob's active
// subscription; the deep page starts after the row at 90 % of the admin list's order.
import { freePort } from '../../scripts/lib/postgres.mjs';
import { connect, DATABASES } from '../lib/database.mjs';
import { BOB, insertPaddingSubscriptions } from '../lib/fixtures.mjs';
import { measureEndpoint, warmUp } from '../lib/measure.mjs';
import { processTicks } from '../lib/procfs.mjs';
import { fmtLabelled, fmtLoad } from '../lib/report.mjs';
import { fmt, fmtLatency, per } from '../lib/stats.mjs';
import { DEMO_SECRETS } from '../../scripts/lib/stack.mjs';
import { migrateAndSeed, startService } from '../lib/stack.mjs';

async function startScaleInstance(ctx) {
  const env = {
    ...ctx.envs['subscription-service'],
    DATABASE_URL: ctx.server.urlFor(DATABASES.scale),
    PORT: String(await freePort()),
  };
  await migrateAndSeed(ctx.root, 'subscription-service', env, ctx.logDir);
  return startService('subscription-service', env, {
    label: 'subscription-service-scale',
    logDir: ctx.logDir,
    profileDir: ctx.profileDir,
  });
}

/** Pads the table up to `size` subscriptions; returns the id of the row at 90 % in (created_at DESC, id DESC) order. */
async function padTo(db, size) {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM subscriptions');
  await insertPaddingSubscriptions(db, { tag: `pad${size}`, count: size - rows[0].n });
  const deep = await db.query('SELECT id FROM subscriptions ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1', [
    Math.floor(size * 0.9),
  ]);
  return deep.rows[0].id;
}

function endpoints(deepCursor) {
  const admin = { authorization: `Bearer ${DEMO_SECRETS.adminKey}` };
  return [
    {
      label: 'GET /v1/subscriptions/{id} (owner)',
      path: `/v1/subscriptions/${BOB.subscriptionId}`,
      headers: { authorization: `Bearer ${BOB.key}` },
    },
    { label: 'GET /v1/subscriptions?limit=20 (admin, first page)', path: '/v1/subscriptions?limit=20', headers: admin },
    {
      label: 'GET /v1/subscriptions?limit=20 (admin, 90 % deep)',
      path: `/v1/subscriptions?limit=20&startingAfter=${deepCursor}`,
      headers: admin,
    },
  ];
}

export default {
  name: 'scale',
  title: '6. Scale: 1k and 100k subscriptions',
  async run(ctx) {
    const instance = await startScaleInstance(ctx);
    const db = await connect(ctx.server.urlFor(DATABASES.scale));
    const results = [];
    try {
      for (const [index, size] of ctx.durations.scaleSizes.entries()) {
        const deepCursor = await padTo(db, size);
        if (index === 0) {
          // A fresh process: warm every endpoint as long as a measurement first, or the first size pays for the JIT.
          for (const { path, headers } of endpoints(deepCursor))
            await warmUp(ctx, { url: `${instance.url}${path}`, headers, seconds: ctx.durations.httpSeconds });
        }
        for (const endpoint of endpoints(deepCursor)) {
          const m = await measureEndpoint(ctx, {
            what: `${endpoint.label} at ${size} subscriptions`,
            url: `${instance.url}${endpoint.path}`,
            headers: endpoint.headers,
            seconds: ctx.durations.httpSeconds,
            cpuTargets: { sub: () => processTicks(instance.pid), pg: ctx.cpu.pg },
          });
          results.push({ size, endpoint: endpoint.label, ...m });
        }
      }
    } finally {
      await db.end();
      await instance.stop();
    }
    const [small, large] = ctx.durations.scaleSizes;
    const rows = results
      .filter((r) => r.rps !== undefined)
      .map((r) => {
        const base = results.find((b) => b.size === small && b.endpoint === r.endpoint);
        const ratios =
          r.size === large
            ? `${large / 1000}k/${small / 1000}k: req/s ×${fmt(per(r.rps, base?.rps))}, p99 ×${fmt(per(r.p99Ms, base?.p99Ms))}; `
            : '';
        return {
          phase: '6 scale',
          measurement: `${r.endpoint} @ ${fmt(r.size, { digits: 0 })}`,
          rate: `${fmt(r.rps)} req/s`,
          latency: fmtLatency({ p50: r.p50Ms, p95: r.p95Ms, p99: r.p99Ms }),
          cpu: fmtLabelled(r.cpuMsPerRequest),
          notes: `one request alone ${fmt(r.probeMs)} ms; ${ratios}failed ${r.failed}`,
          load: fmtLoad(r.loadStart, r.loadEnd),
        };
      });
    return { rows, data: results };
  },
};
