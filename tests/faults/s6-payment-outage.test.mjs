// Scenario 6: the payment service answers 500, then hangs past the subscription service's timeout, for a while →
// the outbox retries with the same Idempotency-Key and recovers; nothing lost, nothing charged twice.
// The "hang" phase forwards the request (the payment IS created) and withholds the answer, so the retry must be
// answered with the same payment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checks, createUsers, ledger, PLANS, pool, sleep, startStack, waitFor } from './harness.mjs';

const N = Number(process.env.FAULTS_S6_SUBSCRIPTIONS ?? 40);
const ERROR_MS = 6_000;
const HANG_MS = 6_000;

test(
  'scenario 6: payment service 500s then hangs; subscription service retries and recovers',
  { timeout: 200_000 },
  async () => {
    const c = checks('6 payment 500/hang');
    const stack = await startStack({ name: 's6', subscriptionOptions: { httpTimeoutMs: 1500 } });
    try {
      const api = stack.api();
      const users = await createUsers(stack, 's6', N);
      const declined = new Set(users.filter((_, i) => i % 5 === 4));
      stack.payFront.mode = 'error500';
      const t0 = Date.now();
      const ids = await pool(users, 8, async (userId, i) => {
        const res = await api.post(
          '/v1/subscriptions',
          {
            userId,
            planId: PLANS.starterMonthly,
            paymentMethod: declined.has(userId) ? 'pm_card_declined' : 'pm_card_visa',
          },
          { 'idempotency-key': `s6-${i}` },
        );
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return res.body.id;
      });
      c.sent(N);
      await sleep(Math.max(0, ERROR_MS - (Date.now() - t0)));
      stack.payFront.mode = 'hang';
      await sleep(HANG_MS);
      stack.payFront.mode = 'pass';
      const tPass = Date.now();
      const final = await waitFor(
        async () => {
          const L = await ledger(stack, ids);
          const settled = L.subs.filter((s) => s.status === (declined.has(s.user_id) ? 'incomplete' : 'active')).length;
          const outboxPending = L.outbox.filter((o) => o.status === 'pending').length;
          return {
            done: settled === N && outboxPending === 0 && L.deliveries.every((d) => d.status === 'succeeded'),
            L,
            settled,
          };
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      );
      const recoverSeconds = ((Date.now() - tPass) / 1000).toFixed(1);
      const L = final.L;
      const attempts = (
        await stack.sdb.query(
          'SELECT max(attempts)::int AS max, sum(attempts)::int AS sum FROM outbox_messages WHERE aggregate_id = ANY($1::uuid[])',
          [L.invoicePayments.map((p) => p.id)],
        )
      ).rows[0];
      c.info(
        'proxy answers during outage',
        `500=${stack.payFront.counts.error500 ?? 0} hung(after forwarding)=${stack.payFront.counts.hung ?? 0} forwarded=${stack.payFront.counts.forwarded ?? 0}`,
      );
      c.info('outbox attempts (max per row / total)', `${attempts.max} / ${attempts.sum}`);
      c.info('seconds from outage end to all settled', recoverSeconds);
      c.that(
        'outage actually hit requests (500 + hung)',
        '> 0 each',
        `${stack.payFront.counts.error500 ?? 0}/${stack.payFront.counts.hung ?? 0}`,
        () => (stack.payFront.counts.error500 ?? 0) > 0 && (stack.payFront.counts.hung ?? 0) > 0,
      );
      c.eq('subscriptions in the right state (visa active, declined incomplete)', N, final.settled);
      c.eq('outbox messages sent', N, L.outbox.filter((o) => o.status === 'sent').length);
      c.eq('outbox messages failed (rejected)', 0, L.outbox.filter((o) => o.status === 'failed').length);
      c.eq('invoices (one initial per subscription)', N, L.invoices.length);
      c.eq('payments in payment DB (one per invoice)', N, L.payments.length);
      c.eq('max payments per invoice payment (Idempotency-Key)', 1, L.maxPaymentsPerInvoicePayment);
      c.eq('max succeeded payments per invoice', 1, L.maxSucceededPaymentsPerInvoice);
      c.eq('events (one per payment)', N, L.events.length);
      c.eq('inbound_webhook_events (one per event)', N, L.inbound.length);
      c.eq(
        'invoice_payments with gateway id = payment id',
        N,
        L.invoicePayments.filter((ip) => L.payments.some((p) => p.id === ip.gateway_payment_id)).length,
      );
      c.eq('status history rows (created + activations)', N + (N - declined.size), L.history.length);
    } finally {
      await stack.stop();
    }
    c.finish(assert);
  },
);
