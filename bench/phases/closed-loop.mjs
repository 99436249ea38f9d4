// Phase 3, the full subscribe flow in a closed loop: `concurrency` workers, each taking a fresh customer
// (SQL fixture), POSTing /v1/subscriptions and waiting until the subscription is active before the next.
// Activation is learnt from one database watcher, not by polling the API per subscription.
import { createCustomers } from '../lib/fixtures.mjs';
import { activationWatcher, FLOW_STEPS, flowTimestamps, subscribe } from '../lib/flow.mjs';
import { costPerOperation, measured, settledServiceDbCounters } from '../lib/measure.mjs';
import { fmtDbCost, fmtLabelled, fmtLoad } from '../lib/report.mjs';
import { distribution, fmt, fmtLatency, steadyRate } from '../lib/stats.mjs';

const ACTIVATION_TIMEOUT_MS = 120_000;

async function runWorkers(ctx, keys, watcher) {
  const outcomes = [];
  let next = 0;
  async function worker() {
    while (next < keys.length) {
      const key = keys[next++];
      const created = await subscribe(ctx.services.subscription.url, key);
      if (created.status !== 201) {
        outcomes.push({ error: `POST /v1/subscriptions answered ${created.status}: ${created.body}` });
        continue;
      }
      const active = await watcher.waitFor(created.id, ACTIVATION_TIMEOUT_MS);
      outcomes.push(
        active
          ? { id: created.id }
          : { error: `subscription ${created.id} not active after ${ACTIVATION_TIMEOUT_MS / 1000} s` },
      );
    }
  }
  await Promise.all(Array.from({ length: ctx.options.concurrency }, worker));
  return outcomes;
}

/**
 * One row per step of the flow: its timestamp relative to the subscribe (latency column) and to the
 * previous step (notes). Two steps are recorded after the next one has happened — outbox_messages.sent_at
 * after the payment service's 202 (so after payments.created_at), webhook_deliveries.delivered_at after
 * the receiver's 2xx (so after the activation) — which makes those differences negative.
 */
function stageRows(timestamps, load) {
  let previous = 'subscribed';
  let previousLabel = 'subscriptions.created_at';
  const data = [];
  const rows = FLOW_STEPS.map(([step, label]) => {
    const fromPrevious = distribution(
      timestamps.map((t) => (t[step] !== null && t[previous] !== null ? t[step] - t[previous] : null)),
    );
    const fromSubscribe = distribution(timestamps.map((t) => (t[step] !== null ? t[step] - t.subscribed : null)));
    data.push({ step: label, previous: previousLabel, fromPrevious, fromSubscribe });
    const row = {
      phase: '3 closed loop',
      measurement: `stage: ${label}, since subscribe`,
      rate: '',
      latency: fmtLatency(fromSubscribe),
      cpu: '',
      notes: `minus ${previousLabel}: p50 ${fmt(fromPrevious.p50)} / p95 ${fmt(fromPrevious.p95)} ms`,
      load,
    };
    [previous, previousLabel] = [step, label];
    return row;
  });
  return { rows, data };
}

export default {
  name: 'closed-loop',
  title: '3. Full flow, closed loop',
  async run(ctx) {
    const total = ctx.durations.closedLoopSubscribes;
    const keys = await createCustomers(ctx.dbs.subscription, { tag: 'closed', count: total });
    const watcher = activationWatcher(ctx.dbs.watcher);
    const before = await settledServiceDbCounters(ctx);
    const started = Date.now();
    const m = await measured(ctx.cpu, () => runWorkers(ctx, keys, watcher));
    const seconds = (Date.now() - started) / 1000;
    await watcher.stop();
    const after = await settledServiceDbCounters(ctx);

    const outcomes = m.result;
    const errors = outcomes.filter((o) => o.error);
    for (const e of errors.slice(0, 5)) ctx.problem(`closed loop: ${e.error}`);
    if (errors.length > 5) ctx.problem(`closed loop: ${errors.length - 5} more failed subscribes`);
    const ids = outcomes.filter((o) => o.id).map((o) => o.id);
    const timestamps = await flowTimestamps(ctx.dbs.subscription, ctx.dbs.payment, ids);
    const activations = ids.length;
    const steady = steadyRate(timestamps.map((t) => t.activated).filter((t) => t !== null));
    const endToEnd = distribution(timestamps.map((t) => (t.activated === null ? null : t.activated - t.subscribed)));
    const cost = costPerOperation({
      cpuMs: m.cpuMs,
      before,
      after,
      operations: activations,
      benchQueries: watcher.queries,
    });
    const load = fmtLoad(m.loadStart, m.loadEnd);
    const stages = stageRows(timestamps, load);
    const summary = {
      phase: '3 closed loop',
      measurement: `${activations}/${total} subscribes → active, concurrency ${ctx.options.concurrency}`,
      rate: `${fmt(activations / seconds)} activations/s (steady ${fmt(steady)})`,
      latency: fmtLatency(endToEnd),
      cpu: fmtLabelled(cost.cpuMs),
      notes: `per activation: ${fmtDbCost(cost)}; watcher queries ${watcher.queries} subtracted`,
      load,
    };
    return {
      rows: [summary, ...stages.rows],
      data: {
        subscribes: total,
        activations,
        failed: errors.length,
        seconds,
        activationsPerSecond: activations / seconds,
        steadyActivationsPerSecond: steady,
        subscribedToActiveMs: endToEnd,
        perActivation: cost,
        watcherQueries: watcher.queries,
        cpuMs: m.cpuMs,
        counters: { before, after },
        stages: stages.data,
        loadStart: m.loadStart,
        loadEnd: m.loadEnd,
      },
    };
  },
};
