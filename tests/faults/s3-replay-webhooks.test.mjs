// Scenario 3: duplicates and out-of-order copies of real signed events → no double transition, no regression.
//  A. Settled flows (visa → active; declined then paid again with visa → active; declined → stays incomplete;
//     visa then upgrade → plan switched). Snapshot both databases, replay every real event 3× (same webhook-id)
//     plus 1× under a fresh webhook-id, all shuffled. Nothing may change.
//  B. The receiver is unreachable for the real sender (proxy answers 503): the replay tool delivers shuffled
//     copies first, then the real deliveries arrive late. Each event must be applied exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checks, createUsers, ledger, PLANS, pool, sleep, startStack, waitFor } from './harness.mjs';
import { loadEvents, replay } from './replay-webhooks.mjs';

const N = Number(process.env.FAULTS_S3_PER_GROUP ?? 8);

async function quiet(stack) {
  const r = await waitFor(
    async () => {
      const p = (
        await stack.pdb.query(`SELECT
        (SELECT count(*)::int FROM payments WHERE status = 'processing') AS processing,
        (SELECT count(*)::int FROM webhook_deliveries WHERE status = 'pending') AS pending`)
      ).rows[0];
      const s = (await stack.sdb.query(`SELECT count(*)::int AS pending FROM outbox_messages WHERE status = 'pending'`))
        .rows[0];
      return { done: p.processing === 0 && p.pending === 0 && s.pending === 0, ...p, outboxPending: s.pending };
    },
    { timeoutMs: 60_000 },
  );
  return r;
}

async function snapshot(stack, ids) {
  const q = async (sql) => (await stack.sdb.query(sql, [ids])).rows;
  return JSON.stringify({
    subs: await q(
      'SELECT id, status, plan_id, pending_plan_id, pending_invoice_id, version FROM subscriptions WHERE id = ANY($1::uuid[]) ORDER BY id',
    ),
    invoices: await q(
      'SELECT id, status, paid_at, failed_at FROM invoices WHERE subscription_id = ANY($1::uuid[]) ORDER BY id',
    ),
    payments: await q(`SELECT ip.id, ip.status, ip.last_event_sequence, ip.gateway_payment_id FROM invoice_payments ip
      JOIN invoices i ON i.id = ip.invoice_id WHERE i.subscription_id = ANY($1::uuid[]) ORDER BY ip.id`),
    history: await q(
      'SELECT count(*)::int AS n FROM subscription_status_changes WHERE subscription_id = ANY($1::uuid[])',
    ),
  });
}

test('scenario 3: replayed duplicates and out-of-order copies change nothing', { timeout: 240_000 }, async () => {
  const c = checks('3 replay webhooks');
  const stack = await startStack({ name: 's3' });
  try {
    const api = stack.api();
    // ---- A: settle real flows first
    const users = await createUsers(stack, 's3a', 4 * N);
    const groups = {
      visa: users.slice(0, N),
      declinedThenPaid: users.slice(N, 2 * N),
      declined: users.slice(2 * N, 3 * N),
      upgraded: users.slice(3 * N),
    };
    const subOf = new Map();
    await pool(users, 6, async (userId, i) => {
      const method =
        groups.declined.includes(userId) || groups.declinedThenPaid.includes(userId)
          ? 'pm_card_declined'
          : 'pm_card_visa';
      const res = await api.post(
        '/v1/subscriptions',
        { userId, planId: PLANS.starterMonthly, paymentMethod: method },
        { 'idempotency-key': `s3a-${i}` },
      );
      assert.equal(res.status, 201, JSON.stringify(res.body));
      subOf.set(userId, res.body.id);
    });
    c.sent(users.length);
    await quiet(stack);
    await pool([...groups.declinedThenPaid, ...groups.upgraded], 6, async (userId) => {
      const id = subOf.get(userId);
      const res = groups.upgraded.includes(userId)
        ? await api.post(`/v1/subscriptions/${id}/change-plan`, { planId: PLANS.proMonthly })
        : await api.post(`/v1/subscriptions/${id}/pay`, { paymentMethod: 'pm_card_visa' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });
    c.sent(2 * N);
    await quiet(stack);
    const idsA = users.map((u) => subOf.get(u));
    const before = await snapshot(stack, idsA);
    const inboundBefore = (await stack.sdb.query('SELECT count(*)::int AS n FROM inbound_webhook_events')).rows[0].n;
    const expectedStatus = (u) => (groups.declined.includes(u) ? 'incomplete' : 'active');
    const L0 = await ledger(stack, idsA);
    c.eq(
      'A: subscriptions in expected state before replay',
      users.length,
      users.filter((u) => L0.subs.find((s) => s.id === subOf.get(u))?.status === expectedStatus(u)).length,
    );

    const eventsA = await loadEvents(stack.paymentDbUrl, { paymentIds: L0.payments.map((p) => p.id) });
    const target = stack.subscription[0].url + '/v1/webhooks/payments';
    const resultsA = await replay({ events: eventsA, target, copies: 3, rekey: true });
    c.sent(resultsA.length);
    c.info(
      'A: real events replayed (3 dup + 1 rekeyed each)',
      `${eventsA.length} events → ${resultsA.length} requests`,
    );
    c.eq('A: replay answers 200', resultsA.length, resultsA.filter((r) => r.status === 200).length);
    c.eq(
      'A: same-id copies acknowledged duplicate:true',
      resultsA.filter((r) => !r.rekeyed).length,
      resultsA.filter((r) => !r.rekeyed && r.response?.duplicate === true).length,
    );
    const after = await snapshot(stack, idsA);
    c.eq(
      'A: subscriptions/invoices/payments/history unchanged by replay',
      'unchanged',
      before === after ? 'unchanged' : 'CHANGED',
    );
    const rekeyedIds = resultsA.filter((r) => r.rekeyed).map((r) => r.webhookId);
    const outcomes = (
      await stack.sdb.query(
        'SELECT outcome, count(*)::int AS n FROM inbound_webhook_events WHERE id = ANY($1::text[]) GROUP BY outcome',
        [rekeyedIds],
      )
    ).rows;
    c.info('A: outcomes of rekeyed copies', outcomes.map((o) => `${o.outcome}=${o.n}`).join(' '));
    const inboundAfter = (await stack.sdb.query('SELECT count(*)::int AS n FROM inbound_webhook_events')).rows[0].n;
    c.eq('A: inbound_webhook_events grew by rekeyed copies only', rekeyedIds.length, inboundAfter - inboundBefore);
    const LA = await ledger(stack, idsA);
    c.eq('A: max status-history rows per webhook event', 1, LA.maxHistoryRowsPerWebhookEvent);
    c.eq(
      'A: subscriptions still in expected state',
      users.length,
      users.filter((u) => LA.subs.find((s) => s.id === subOf.get(u))?.status === expectedStatus(u)).length,
    );

    // ---- B: copies arrive before the real (delayed) deliveries
    stack.subFront.mode = 'refuseWebhooks';
    const usersB = await createUsers(stack, 's3b', 2 * N);
    const subB = [];
    await pool(usersB, 6, async (userId, i) => {
      const method = i % 2 === 0 ? 'pm_card_visa' : 'pm_card_declined';
      const res = await api.post(
        '/v1/subscriptions',
        { userId, planId: PLANS.starterMonthly, paymentMethod: method },
        { 'idempotency-key': `s3b-${i}` },
      );
      assert.equal(res.status, 201, JSON.stringify(res.body));
      subB[i] = res.body.id;
    });
    c.sent(usersB.length);
    const LB0 = await waitFor(
      async () => {
        const l = await ledger(stack, subB);
        return { done: l.events.length === usersB.length, l };
      },
      { timeoutMs: 30_000 },
    );
    const eventsB = await loadEvents(stack.paymentDbUrl, { paymentIds: LB0.l.payments.map((p) => p.id) });
    const resultsB = await replay({ events: eventsB, target, copies: 3 });
    c.sent(resultsB.length);
    c.eq('B: events recorded while receiver refused', usersB.length, eventsB.length);
    c.eq(
      'B: first copy of each event applied (duplicate:false)',
      eventsB.length,
      resultsB.filter((r) => r.status === 200 && r.response?.duplicate === false).length,
    );
    c.eq(
      'B: other copies duplicate:true',
      resultsB.length - eventsB.length,
      resultsB.filter((r) => r.response?.duplicate === true).length,
    );
    stack.subFront.mode = 'pass';
    await quiet(stack);
    await sleep(500);
    const LB = await ledger(stack, subB);
    c.info('B: real deliveries refused by proxy (503) before opening', stack.subFront.counts.refused ?? 0);
    c.eq(
      'B: real deliveries finally delivered',
      eventsB.length,
      LB.deliveries.filter((d) => d.status === 'succeeded').length,
    );
    c.eq('B: inbound_webhook_events rows (one per event)', eventsB.length, LB.inbound.length);
    c.eq('B: max status-history rows per webhook event', 1, LB.maxHistoryRowsPerWebhookEvent);
    c.eq(
      'B: visa subscriptions active',
      N,
      subB.filter((id, i) => i % 2 === 0 && LB.subs.find((s) => s.id === id)?.status === 'active').length,
    );
    c.eq(
      'B: declined subscriptions incomplete with failed invoice',
      N,
      subB.filter(
        (id, i) =>
          i % 2 === 1 &&
          LB.subs.find((s) => s.id === id)?.status === 'incomplete' &&
          LB.invoices.find((inv) => inv.subscription_id === id)?.status === 'failed',
      ).length,
    );
    c.eq('B: history rows (1 created + 1 per activation)', 2 * N + N, LB.history.length);
  } finally {
    await stack.stop();
  }
  c.finish(assert);
});
