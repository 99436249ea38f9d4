// The subscribe flow as a customer drives it (POST /v1/subscriptions, then wait until `active`), an
// activation watcher that learns about activations from the database instead of polling the API per
// subscription, and the per-stage timings read back from both databases' own timestamps.
import { randomUUID } from 'node:crypto';
import { PLANS } from './fixtures.mjs';

/** POST /v1/subscriptions as the customer owning `key`; resolves { status, id, body? } (status is a string on a network error). */
export async function subscribe(baseUrl, key) {
  try {
    const res = await fetch(`${baseUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ planId: PLANS.starterMonthly, paymentMethod: 'pm_card_visa' }),
    });
    const text = await res.text();
    if (res.status !== 201) return { status: res.status, id: null, body: text.slice(0, 300) };
    return { status: res.status, id: JSON.parse(text).id };
  } catch (error) {
    return { status: `network error ${error.cause?.code ?? error.message}`, id: null, body: '' };
  }
}

/**
 * One loop that, every `intervalMs`, runs ONE query over all outstanding subscription ids and resolves
 * the waiters of those that are active. `queries` counts its statements (each is one transaction in
 * the subscription database) so they can be subtracted from the database counters.
 */
export function activationWatcher(db, { intervalMs = 20 } = {}) {
  const waiters = new Map();
  let queries = 0;
  let stopped = false;
  let failure = null;
  let lastActivation = Date.now();

  const settle = (id, active) => {
    waiters.get(id)?.(active);
    waiters.delete(id);
  };
  async function poll() {
    while (!stopped) {
      if (waiters.size > 0) {
        const { rows } = await db.query(
          "SELECT id FROM subscriptions WHERE status = 'active' AND id = ANY($1::uuid[])",
          [[...waiters.keys()]],
        );
        queries += 1;
        if (rows.length > 0) lastActivation = Date.now();
        for (const { id } of rows) settle(id, true);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
  const loop = poll().catch((error) => {
    failure = error;
    for (const id of [...waiters.keys()]) settle(id, false);
  });

  return {
    /** Resolves true once `id` is active; false after `timeoutMs` (when given), at giveUp(), or if the watcher failed. */
    waitFor(id, timeoutMs) {
      if (failure) return Promise.resolve(false);
      return new Promise((resolve) => {
        const timer = timeoutMs ? setTimeout(() => settle(id, false), timeoutMs) : null;
        waiters.set(id, (active) => {
          clearTimeout(timer);
          resolve(active);
        });
      });
    },
    /** Waits until nothing is outstanding, or nothing activated for `quietMs`; then resolves the rest as not active. */
    async drain(quietMs) {
      while (waiters.size > 0 && Date.now() - lastActivation < quietMs) await new Promise((r) => setTimeout(r, 100));
      for (const id of [...waiters.keys()]) settle(id, false);
    },
    get queries() {
      return queries;
    },
    async stop() {
      stopped = true;
      await loop;
      if (failure) throw failure;
    },
  };
}

/**
 * Per subscription, the database timestamps of each step of the flow, in ms since the epoch:
 * subscribed (subscriptions.created_at), outboxSent (outbox_messages.sent_at, written after the payment
 * service's 202), paymentCreated and paymentProcessed (payments.created_at / processed_at, payment
 * database, joined by merchant_reference = invoice id), webhookDelivered (webhook_deliveries.delivered_at,
 * written after the receiver's 2xx) and activated (subscription_status_changes.created_at, to 'active').
 */
export async function flowTimestamps(subscriptionDb, paymentDb, subscriptionIds) {
  const { rows: subs } = await subscriptionDb.query(
    `SELECT s.id, i.id AS invoice_id, s.created_at AS subscribed, o.sent_at AS outbox_sent, a.created_at AS activated
       FROM subscriptions s
       JOIN invoices i ON i.subscription_id = s.id AND i.kind = 'initial'
       JOIN invoice_payments ip ON ip.invoice_id = i.id
       JOIN outbox_messages o ON o.aggregate_id = ip.id
       LEFT JOIN subscription_status_changes a ON a.subscription_id = s.id AND a.to_status = 'active'
      WHERE s.id = ANY($1::uuid[])`,
    [subscriptionIds],
  );
  const { rows: payments } = await paymentDb.query(
    `SELECT p.merchant_reference AS invoice_id, p.created_at, p.processed_at, d.delivered_at
       FROM payments p
       LEFT JOIN events e ON e.payment_id = p.id AND e.type = 'payment.succeeded'
       LEFT JOIN webhook_deliveries d ON d.event_id = e.id
      WHERE p.merchant_reference = ANY($1::text[])`,
    [subs.map((s) => s.invoice_id)],
  );
  const byInvoice = new Map(payments.map((p) => [p.invoice_id, p]));
  const ms = (date) => (date ? date.getTime() : null);
  return subs.map((s) => {
    const p = byInvoice.get(s.invoice_id) ?? {};
    return {
      id: s.id,
      subscribed: ms(s.subscribed),
      outboxSent: ms(s.outbox_sent),
      paymentCreated: ms(p.created_at),
      paymentProcessed: ms(p.processed_at),
      webhookDelivered: ms(p.delivered_at),
      activated: ms(s.activated),
    };
  });
}

/** The steps of flowTimestamps() in flow order, with labels for the report. */
export const FLOW_STEPS = [
  ['outboxSent', 'outbox_messages.sent_at'],
  ['paymentCreated', 'payments.created_at'],
  ['paymentProcessed', 'payments.processed_at'],
  ['webhookDelivered', 'webhook_deliveries.delivered_at'],
  ['activated', 'status change to active'],
];
