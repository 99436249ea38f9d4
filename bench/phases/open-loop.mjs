// Phase 4, open loop: subscribes fired on a fixed schedule (rate/s for a duration, fresh customers)
// whatever the completions, then a wait until every one is active. Latency = send time → the status
// change to active (subscription_status_changes.created_at), both on this machine's clock.
import { createCustomers } from '../lib/fixtures.mjs';
import { activationWatcher, flowTimestamps, subscribe } from '../lib/flow.mjs';
import { measured } from '../lib/measure.mjs';
import { fmtLabelled, fmtLoad } from '../lib/report.mjs';
import { distribution, fmt, fmtLatency, per } from '../lib/stats.mjs';

/** After the last send, waiting stops when no subscription has become active for this long. */
const NO_PROGRESS_TIMEOUT_MS = 120_000;

/**
 * Sends subscribe i at start + i/rate whatever the earlier ones are doing, then waits for the
 * activations; resolves every send's outcome.
 */
async function fireOnSchedule(ctx, keys, rate, watcher) {
  const sends = [];
  const start = performance.now();
  for (let i = 0; i < keys.length; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sentAt = Date.now();
    const t0 = performance.now();
    sends.push(
      subscribe(ctx.services.subscription.url, keys[i]).then(async (created) => {
        const responseMs = performance.now() - t0;
        if (created.status !== 201) return { sentAt, responseMs, error: `${created.status}: ${created.body}` };
        return { sentAt, responseMs, id: created.id, active: watcher.waitFor(created.id) };
      }),
    );
  }
  const outcomes = await Promise.all(sends);
  await watcher.drain(NO_PROGRESS_TIMEOUT_MS);
  for (const outcome of outcomes) outcome.active = await outcome.active;
  return outcomes;
}

async function openLoopAt(ctx, { rate, seconds }) {
  const count = Math.round(rate * seconds);
  const keys = await createCustomers(ctx.dbs.subscription, { tag: `open${rate}`, count });
  const watcher = activationWatcher(ctx.dbs.watcher);
  const m = await measured(ctx.cpu, () => fireOnSchedule(ctx, keys, rate, watcher));
  await watcher.stop();
  const sends = m.result;

  const errors = sends.filter((s) => s.error);
  const created = sends.filter((s) => s.id);
  const unactivated = created.filter((s) => !s.active).length;
  if (created.length - unactivated === 0) ctx.problem(`open loop ${rate}/s: none of ${count} subscribes became active`);
  if (errors.length > 0)
    ctx.warn(`open loop ${rate}/s: ${errors.length} subscribes not answered 201, e.g. ${errors[0].error}`);
  if (unactivated > 0)
    ctx.warn(
      `open loop ${rate}/s: ${unactivated} subscriptions not active (none activated for ${NO_PROGRESS_TIMEOUT_MS / 1000} s)`,
    );
  const sentAt = new Map(created.map((s) => [s.id, s.sentAt]));
  const timestamps = (await flowTimestamps(ctx.dbs.subscription, ctx.dbs.payment, [...sentAt.keys()])).filter(
    (t) => t.activated !== null,
  );
  const activation = distribution(timestamps.map((t) => t.activated - sentAt.get(t.id)));
  const webhookLag = distribution(
    timestamps.map((t) => (t.paymentProcessed === null ? null : t.activated - t.paymentProcessed)),
  );
  const response = distribution(sends.map((s) => s.responseMs));
  const firstSend = sends[0].sentAt;
  const lastSend = sends[sends.length - 1].sentAt;
  const achievedRate =
    sends.length > 1 && lastSend > firstSend ? ((sends.length - 1) * 1000) / (lastSend - firstSend) : null;
  const cpuPerActivation = Object.fromEntries(
    Object.entries(m.cpuMs).map(([name, ms]) => [name, per(ms, timestamps.length)]),
  );
  return {
    row: {
      phase: '4 open loop',
      measurement: `${rate}/s for ${seconds} s: ${timestamps.length}/${count} active`,
      rate: `sent ${fmt(achievedRate)}/s`,
      latency: fmtLatency(activation),
      cpu: fmtLabelled(cpuPerActivation),
      notes: `webhook lag p50 ${fmt(webhookLag.p50)} / p99 ${fmt(webhookLag.p99)} ms; POST p50 ${fmt(response.p50)} / p99 ${fmt(response.p99)} ms; non-201 ${errors.length}; unactivated ${unactivated}`,
      load: fmtLoad(m.loadStart, m.loadEnd),
    },
    data: {
      rate,
      seconds,
      sent: sends.length,
      achievedRate,
      non201: errors.length,
      non201Samples: errors.slice(0, 5).map((e) => e.error),
      unactivated,
      activationLatencyMs: activation,
      webhookLagMs: webhookLag,
      postResponseMs: response,
      cpuMsPerActivation: cpuPerActivation,
      loadStart: m.loadStart,
      loadEnd: m.loadEnd,
    },
  };
}

export default {
  name: 'open-loop',
  title: '4. Open loop',
  async run(ctx) {
    const results = [];
    for (const step of ctx.durations.openLoop) results.push(await openLoopAt(ctx, step));
    return { rows: results.map((r) => r.row), data: results.map((r) => r.data) };
  },
};
