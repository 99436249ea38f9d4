// Scenario 4: two replicas of each service on the same databases under the same burst → no double charge, no
// event processed twice, no invoice created twice. Every subscribe request is sent twice at once with the same
// Idempotency-Key (the round-robin front puts the copies on different replicas). Then the billing workers of both
// replicas race on renewals: a test clock moves 20 active subscriptions past their period end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  burstChecks,
  checks,
  createUsers,
  isDeclinedIndex,
  ledger,
  PLANS,
  pool,
  sleep,
  startStack,
  subscribeWithRetry,
  waitFor,
  waitSettled,
} from './harness.mjs';

const N = Number(process.env.FAULTS_BURST ?? 200);
const RENEWALS = Math.min(20, Math.floor(N / 2));

test(
  `scenario 4: 2 replicas of each service, burst of ${N} (each request sent twice), renewals raced`,
  { timeout: 300_000 },
  async () => {
    const c = checks('4 two replicas each');
    const stack = await startStack({
      name: 's4',
      subscriptionReplicas: 2,
      paymentReplicas: 2,
      subscriptionOptions: { billingPollIntervalMs: 200 },
    });
    try {
      const users = await createUsers(stack, 's4', N);
      const results = await pool(users, 8, async (userId, i) => {
        const paymentMethod = isDeclinedIndex(i) ? 'pm_card_declined' : 'pm_card_visa';
        const args = { userId, planId: PLANS.starterMonthly, paymentMethod, key: `s4-${i}` };
        const [a, b] = await Promise.all([subscribeWithRetry(stack, args), subscribeWithRetry(stack, args)]);
        return { ...a, userId, paymentMethod, index: i, sameAnswer: a.id !== null && a.id === b.id };
      });
      c.sent(2 * N);
      c.eq(
        'both copies of a request answered with the same subscription',
        N,
        results.filter((r) => r.sameAnswer).length,
      );
      const settled = await waitSettled(stack, results, { timeoutMs: 120_000 });
      const L = await burstChecks(stack, c, results, settled);
      // A double send is two attempts of one delivery in flight at the same time (two workers, two leases) or two
      // successful attempts; a retry after a timed-out attempt is neither, however slow the machine is.
      const doubles = (
        await stack.pdb.query(
          `SELECT
         (SELECT count(*)::int FROM webhook_delivery_attempts a JOIN webhook_delivery_attempts b
             ON b.delivery_id = a.delivery_id AND b.attempt_number > a.attempt_number AND b.started_at < a.finished_at
           WHERE a.delivery_id = ANY($1::uuid[])) AS overlapping,
         (SELECT coalesce(max(n), 0)::int FROM (SELECT count(*) AS n FROM webhook_delivery_attempts
           WHERE delivery_id = ANY($1::uuid[]) AND status_code BETWEEN 200 AND 299 GROUP BY delivery_id) ok) AS max_succeeded`,
          [L.deliveries.map((d) => d.id)],
        )
      ).rows[0];
      c.eq('webhook delivery attempts overlapping in time (sent twice by two workers)', 0, doubles.overlapping);
      c.eq('successful attempts per delivery', 'max 1', `max ${doubles.max_succeeded}`);
      c.info(
        'requests per front (subscription / payment)',
        `${JSON.stringify(stack.subFront.counts)} / ${JSON.stringify(stack.payFront.counts)}`,
      );

      // ---- renewals raced by both replicas' billing workers
      const active = L.subs
        .filter((s) => s.status === 'active')
        .slice(0, RENEWALS)
        .map((s) => s.id);
      const api = stack.api();
      const adv = await pool(active, 4, (id) =>
        api.post(`/v1/subscriptions/${id}/test-clock/advance`, { seconds: 32 * 24 * 3600 }),
      );
      c.sent(active.length);
      c.eq('test clock advanced (200)', active.length, adv.filter((r) => r.status === 200).length);
      const renewed = await waitFor(
        async () => {
          const R = await ledger(stack, active);
          const renewals = R.invoices.filter((i) => i.kind === 'renewal');
          const busy =
            R.outbox.some((o) => o.status === 'pending') ||
            R.deliveries.some((d) => d.status === 'pending') ||
            R.payments.some((p) => p.status === 'processing');
          return {
            done: renewals.length >= active.length && renewals.every((i) => i.status === 'paid') && !busy,
            R,
            renewals,
          };
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      await sleep(1000); // let a late duplicate (if any) show up
      const R = await ledger(stack, active);
      const renewals = R.invoices.filter((i) => i.kind === 'renewal');
      c.eq(
        'renewal invoices (one per subscription)',
        `${active.length}, max 1`,
        `${renewals.length}, max ${R.maxPer(renewals, 'subscription_id')}`,
      );
      c.eq('renewal invoices paid', active.length, renewals.filter((i) => i.status === 'paid').length);
      c.eq(
        'renewal payments (one per renewal invoice)',
        `${active.length}, max 1`,
        `${R.payments.filter((p) => renewals.some((i) => i.id === p.merchant_reference)).length}, max ${R.maxSucceededPaymentsPerInvoice}`,
      );
      c.eq('renewed subscriptions still active', active.length, R.subs.filter((s) => s.status === 'active').length);
      c.eq('inbound_webhook_events = events', R.events.length, R.inbound.length);
      void renewed;
    } finally {
      await stack.stop();
    }
    c.finish(assert);
  },
);
