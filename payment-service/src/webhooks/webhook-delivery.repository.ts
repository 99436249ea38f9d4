import { WebhookDeliveryStatus } from '../generated/prisma/enums';
import { Sql, statement } from '../platform/database/database';

/** A delivery this worker holds a lease on, with everything one send needs. */
export interface DeliveryLease {
  readonly id: string;
  readonly eventId: string;
  /** The stored event JSON: these exact bytes are signed and sent. */
  readonly body: string;
  readonly requestId: string | null;
  /** The event's W3C trace context (null when tracing was off): each send continues that trace. */
  readonly traceContext: string | null;
  readonly url: string;
  readonly secret: string;
  /** Attempts recorded before this one. */
  readonly attemptCount: number;
  /** Position in WEBHOOK_RETRY_SCHEDULE. */
  readonly retryIndex: number;
  readonly leaseUntil: Date;
}

const UNLEASE = statement(
  'webhook_deliveries_unlease',
  `UPDATE webhook_deliveries SET locked_until = NULL WHERE id = ANY($1::uuid[])`,
);

/** Leaves deliveries written leased to this process to polling instead (more endpoints than reserved send slots). */
export async function unleaseDeliveries(db: Sql, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await db.execute(UNLEASE, [ids]);
}

const CLAIM_DUE = statement(
  'webhook_deliveries_claim_due',
  `WITH claimed AS (
     UPDATE webhook_deliveries SET locked_until = $2
      WHERE id IN (
        SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE d.status = 'pending' AND e.enabled
           AND d.next_attempt_at <= $1
           AND (d.locked_until IS NULL OR d.locked_until <= $1)
         ORDER BY d.next_attempt_at
         LIMIT $3
         FOR UPDATE OF d SKIP LOCKED)
     RETURNING id, event_id, endpoint_id, attempt_count, retry_index, locked_until
   )
   SELECT c.id, c.event_id AS "eventId", ev.body, ev.request_id AS "requestId", ev.trace_context AS "traceContext", e.url, e.secret,
          c.attempt_count AS "attemptCount", c.retry_index AS "retryIndex", c.locked_until AS "leaseUntil"
     FROM claimed c JOIN events ev ON ev.id = c.event_id JOIN webhook_endpoints e ON e.id = c.endpoint_id`,
);

/** Leases up to `limit` due deliveries (to enabled endpoints) to this process, with their event and endpoint, in one statement. */
export function claimDueDeliveries(db: Sql, now: Date, leaseUntil: Date, limit: number): Promise<DeliveryLease[]> {
  return db.query<DeliveryLease & Record<string, unknown>>(CLAIM_DUE, [now, leaseUntil, limit]);
}

const RELEASE = statement(
  'webhook_deliveries_release',
  `UPDATE webhook_deliveries SET locked_until = NULL WHERE id = $1 AND locked_until = $2`,
);

/** Gives the lease up (shutdown before sending) so another instance sends it now. */
export async function releaseDelivery(db: Sql, lease: DeliveryLease): Promise<void> {
  await db.execute(RELEASE, [lease.id, lease.leaseUntil]);
}

/** What one send changed: delivered, dead-lettered, or the next retry. */
export type DeliveryState =
  | { readonly status: typeof WebhookDeliveryStatus.succeeded; readonly deliveredAt: Date }
  | { readonly status: typeof WebhookDeliveryStatus.failed }
  | {
      readonly status: typeof WebhookDeliveryStatus.pending;
      readonly nextAttemptAt: Date;
      readonly retryIndex: number;
    };

export interface DeliveryAttempt {
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly responseSnippet: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

const RECORD_ATTEMPT = statement(
  'webhook_deliveries_record_attempt',
  `WITH updated AS (
     UPDATE webhook_deliveries
        SET status = $3, delivered_at = COALESCE($4, delivered_at), next_attempt_at = $5, retry_index = $6, attempt_count = $7,
            locked_until = NULL, last_status_code = $8, last_error = $9, updated_at = $10
      WHERE id = $1 AND locked_until = $2
     RETURNING id
   )
   INSERT INTO webhook_delivery_attempts (id, delivery_id, attempt_number, status_code, error, duration_ms, response_snippet, started_at, finished_at)
   SELECT gen_random_uuid(), id, $7, $8, $9, $11, $12, $13, $10 FROM updated`,
);

/**
 * Records one send: the delivery's new state and the attempt row, in one statement, only while the
 * delivery still carries this worker's lease (a redelivery or another replica may have taken it over).
 * False when the lease was lost (nothing written).
 */
export async function recordDeliveryAttempt(
  db: Sql,
  lease: DeliveryLease,
  state: DeliveryState,
  attempt: DeliveryAttempt,
): Promise<boolean> {
  const inserted = await db.execute(RECORD_ATTEMPT, [
    lease.id,
    lease.leaseUntil,
    state.status,
    state.status === 'succeeded' ? state.deliveredAt : null,
    state.status === 'pending' ? state.nextAttemptAt : null,
    state.status === 'pending' ? state.retryIndex : lease.retryIndex,
    lease.attemptCount + 1,
    attempt.statusCode,
    attempt.error,
    attempt.finishedAt,
    attempt.durationMs,
    attempt.responseSnippet,
    attempt.startedAt,
  ]);
  return inserted === 1;
}

const DELIVERY_HEALTH = statement(
  'webhook_delivery_health',
  // The (status, next_attempt_at) index finds the pending and failed rows only; webhook_endpoints is a handful of rows.
  // Deliveries to a disabled endpoint are never sent (the worker skips them), so they are not counted as waiting.
  `SELECT count(*) FILTER (WHERE d.status = 'pending' AND e.enabled)::int AS pending,
          min(d.created_at) FILTER (WHERE d.status = 'pending' AND e.enabled) AS oldest_pending,
          count(*) FILTER (WHERE d.status = 'failed')::int AS dead_letters
     FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
    WHERE d.status IN ('pending', 'failed')`,
);

/** Deliveries waiting to be sent to an enabled endpoint (and the oldest one's creation time), and dead letters. */
export async function deliveryHealth(
  db: Sql,
): Promise<{ pending: number; oldestPending: Date | null; deadLetters: number }> {
  const [row] = await db.query<{ pending: number; oldest_pending: Date | null; dead_letters: number }>(DELIVERY_HEALTH);
  return { pending: row.pending, oldestPending: row.oldest_pending, deadLetters: row.dead_letters };
}
