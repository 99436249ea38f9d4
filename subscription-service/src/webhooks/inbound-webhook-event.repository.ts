import { Sql, statement } from '../platform/database/database';

const INSERT_EVENT = statement(
  'inbound_webhook_events_insert',
  `INSERT INTO inbound_webhook_events (id, type, payment_id, sequence, outcome, received_at)
   VALUES ($1, $2, $3, $4, 'received', $5)
   ON CONFLICT (id) DO NOTHING`,
);

/**
 * Records a delivery by its webhook-id; false when that id was already recorded (a duplicate). A
 * concurrent duplicate waits for the first delivery's transaction, then inserts nothing.
 */
export async function recordInboundWebhookEvent(
  db: Sql,
  event: { id: string; type: string; paymentId: string; sequence: number; receivedAt: Date },
): Promise<boolean> {
  return (
    (await db.execute(INSERT_EVENT, [event.id, event.type, event.paymentId, event.sequence, event.receivedAt])) === 1
  );
}

const SET_OUTCOME = statement(
  'inbound_webhook_events_outcome',
  `UPDATE inbound_webhook_events SET outcome = $2 WHERE id = $1`,
);

/** What applying the event did (e.g. `invoice_paid`, `ignored_stale`). */
export async function setInboundWebhookOutcome(db: Sql, id: string, outcome: string): Promise<void> {
  await db.execute(SET_OUTCOME, [id, outcome]);
}
