// Scenario 7: the payment service is unreachable while 40 customers subscribe and 20 of them cancel now →
// after it returns, exactly the 20 live subscriptions are charged; the 20 canceled ones keep nothing: a charge
// never sent is never sent, and a charge that reached the gateway before the cancel is refunded in full.
// Phase A (20 customers): the payment front forwards and withholds the answer (the payment IS created, the
// caller times out). Phase B (20 customers): the payment front answers 500 (nothing created). In both phases the
// subscription service's webhook route refuses deliveries, so no outcome arrives before the cancels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checks, createUsers, ledger, PLANS, pool, sleep, startStack, waitFor } from './harness.mjs';

const PER_PHASE = Number(process.env.FAULTS_S7_PER_PHASE ?? 20);
const N = 2 * PER_PHASE;

test(
  'scenario 7: payment service down while customers subscribe and cancel now; only live subscriptions keep a charge',
  { timeout: 240_000 },
  async () => {
    const c = checks('7 outage + cancel now');
    const stack = await startStack({ name: 's7', subscriptionOptions: { httpTimeoutMs: 1500 } });
    try {
      const api = stack.api();
      const users = await createUsers(stack, 's7', N);
      stack.subFront.mode = 'refuseWebhooks';

      const subscribeAndCancelHalf = (phaseUsers, phase) =>
        pool(phaseUsers, 8, async (userId, i) => {
          const res = await api.post(
            '/v1/subscriptions',
            { userId, planId: PLANS.starterMonthly, paymentMethod: 'pm_card_visa' },
            { 'idempotency-key': `s7-${phase}-${i}` },
          );
          assert.equal(res.status, 201, JSON.stringify(res.body));
          const cancel = i % 2 === 1;
          if (cancel) {
            // Let the first send reach the front (phase A: the gateway creates the payment) before canceling.
            await sleep(300);
            const canceled = await api.post(`/v1/subscriptions/${res.body.id}/cancel`, { atPeriodEnd: false });
            assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
          }
          return { id: res.body.id, invoiceId: res.body.latestInvoice.id, phase, canceled: cancel };
        });

      stack.payFront.mode = 'hang';
      const phaseA = await subscribeAndCancelHalf(users.slice(0, PER_PHASE), 'A');
      await sleep(2_000);
      stack.payFront.mode = 'error500';
      const phaseB = await subscribeAndCancelHalf(users.slice(PER_PHASE), 'B');
      await sleep(2_000);
      c.sent(N + N / 2);
      stack.payFront.mode = 'pass';
      stack.subFront.mode = 'pass';
      const tPass = Date.now();

      const all = [...phaseA, ...phaseB];
      const live = all.filter((s) => !s.canceled);
      const canceled = all.filter((s) => s.canceled);
      const refundsOf = async () =>
        (
          await stack.sdb.query(
            `SELECT r.invoice_id, r.amount, r.status, r.reason, r.explanation, r.gateway_refund_id FROM invoice_refunds r WHERE r.invoice_id = ANY($1::uuid[])`,
            [all.map((s) => s.invoiceId)],
          )
        ).rows;
      const final = await waitFor(
        async () => {
          const L = await ledger(
            stack,
            all.map((s) => s.id),
          );
          const refunds = await refundsOf();
          const activeLive = L.subs.filter((s) => live.some((l) => l.id === s.id) && s.status === 'active').length;
          const pending = (
            await stack.sdb.query(`SELECT count(*)::int AS n FROM outbox_messages WHERE status = 'pending'`)
          ).rows[0].n;
          const settledRefunds = refunds.filter((r) => r.status === 'succeeded' || r.status === 'failed').length;
          const done =
            activeLive === live.length &&
            pending === 0 &&
            settledRefunds === refunds.length &&
            L.deliveries.every((d) => d.status === 'succeeded');
          return { done, L, refunds };
        },
        { timeoutMs: 120_000, intervalMs: 1000 },
      );
      const L = final.L;
      const settleSeconds = ((Date.now() - tPass) / 1000).toFixed(1);

      const paymentsFor = (subs) => L.payments.filter((p) => subs.some((s) => s.invoiceId === p.merchant_reference));
      const refundRows = (
        await stack.pdb.query(`SELECT payment_id, amount, status FROM refunds WHERE payment_id = ANY($1::uuid[])`, [
          paymentsFor(canceled).map((p) => p.id),
        ])
      ).rows;
      const amountsById = new Map(
        (
          await stack.pdb.query(`SELECT id, amount FROM payments WHERE id = ANY($1::uuid[])`, [
            L.payments.map((p) => p.id),
          ])
        ).rows.map((p) => [p.id, p.amount]),
      );
      const captured = (payments) =>
        payments.filter((p) => p.status === 'succeeded').reduce((sum, p) => sum + amountsById.get(p.id), 0);
      const refunded = refundRows.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
      const canceledA = canceled.filter((s) => s.phase === 'A');
      const canceledB = canceled.filter((s) => s.phase === 'B');

      c.info(
        'proxy answers during the outage',
        `hung(after forwarding)=${stack.payFront.counts.hung ?? 0} 500=${stack.payFront.counts.error500 ?? 0} webhooks refused=${stack.subFront.counts.refused ?? 0}`,
      );
      c.info('seconds from outage end to all settled', settleSeconds);
      c.that(
        'outage actually hit requests (hung + 500 + refused webhooks)',
        '> 0 each',
        `${stack.payFront.counts.hung ?? 0}/${stack.payFront.counts.error500 ?? 0}/${stack.subFront.counts.refused ?? 0}`,
        () =>
          (stack.payFront.counts.hung ?? 0) > 0 &&
          (stack.payFront.counts.error500 ?? 0) > 0 &&
          (stack.subFront.counts.refused ?? 0) > 0,
      );
      c.eq(
        'live subscriptions active',
        live.length,
        L.subs.filter((s) => live.some((l) => l.id === s.id) && s.status === 'active').length,
      );
      c.eq(
        'canceled subscriptions canceled',
        canceled.length,
        L.subs.filter((s) => canceled.some((l) => l.id === s.id) && s.status === 'canceled').length,
      );
      c.eq(
        'live: succeeded payments at the gateway (one each)',
        `${live.length}, max 1`,
        `${paymentsFor(live).filter((p) => p.status === 'succeeded').length}, max ${L.maxSucceededPaymentsPerInvoice}`,
      );
      c.eq('live: refunds', 0, final.refunds.filter((r) => live.some((s) => s.invoiceId === r.invoice_id)).length);
      c.eq('canceled while the front answered 500: payments created at the gateway', 0, paymentsFor(canceledB).length);
      c.info(
        'canceled while the front hung: payments created at the gateway (charge in flight)',
        paymentsFor(canceledA).length,
      );
      c.eq(
        'canceled: every captured payment refunded in full (captured = refunded, minor units)',
        captured(paymentsFor(canceled)),
        refunded,
      );
      const capturedCount = paymentsFor(canceled).filter((p) => p.status === 'succeeded').length;
      c.eq(
        'canceled: refunds at the gateway, one per captured payment, all succeeded',
        `${capturedCount} succeeded of ${capturedCount}`,
        `${refundRows.filter((r) => r.status === 'succeeded').length} succeeded of ${refundRows.length}`,
      );
      c.eq(
        'subscription service: invoice refunds succeeded = gateway refunds',
        refundRows.length,
        final.refunds.filter((r) => r.status === 'succeeded').length,
      );
      c.eq(
        'subscription service: refunds explained as invoice_void',
        final.refunds.length,
        final.refunds.filter((r) => r.explanation === 'invoice_void').length,
      );
      c.eq('canceled: net money kept (captured − refunded)', 0, captured(paymentsFor(canceled)) - refunded);
      c.eq(
        'canceled: invoices void',
        canceled.length,
        L.invoices.filter((i) => canceled.some((s) => s.invoiceId === i.id) && i.status === 'void').length,
      );
      c.eq('max payments per invoice payment (Idempotency-Key)', 1, L.maxPaymentsPerInvoicePayment);
      c.eq(
        'outbox messages failed (rejected)',
        0,
        (await stack.sdb.query(`SELECT count(*)::int AS n FROM outbox_messages WHERE status = 'failed'`)).rows[0].n,
      );
      c.info(
        'outbox: charges sent / canceled before sending',
        `${L.outbox.filter((o) => o.status === 'sent').length} / ${L.outbox.filter((o) => o.status === 'canceled').length}`,
      );
    } finally {
      await stack.stop();
    }
    c.finish(assert);
  },
);
