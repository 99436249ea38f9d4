import { Sql, statement } from '../platform/database/database';
import { PaymentEvent } from './payment-event';

/** A delivery written with its event, leased to this process when a delivery lease was given. */
export interface WrittenDelivery {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
}

const INSERT_EVENT_WITH_DELIVERIES = statement(
  'events_insert_with_deliveries',
  `WITH event AS (
     INSERT INTO events (id, type, payment_id, sequence, body, request_id, trace_context, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $9, $7)
     RETURNING id
   ), delivery AS (
     INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, attempt_count, retry_index, next_attempt_at, locked_until, created_at, updated_at)
     SELECT gen_random_uuid(), event.id, e.id, 'pending', 0, 0, $7, $8, $7, $7 FROM event CROSS JOIN webhook_endpoints e WHERE e.enabled
     RETURNING id, endpoint_id
   )
   SELECT coalesce(json_agg(json_build_object('id', d.id, 'url', w.url, 'secret', w.secret) ORDER BY d.id), '[]'::json) AS deliveries
     FROM delivery d JOIN webhook_endpoints w ON w.id = d.endpoint_id`,
);

/**
 * An event (with its exact body) and one pending delivery of it per enabled webhook endpoint, due at
 * `createdAt` and leased until `deliveryLeaseUntil` when given, in one statement of the caller's transaction
 * (the state change that causes the event commits with it). `paymentId` is the payment the event is about
 * (for a refund event: the refunded payment), `requestId` is forwarded as X-Request-Id on every delivery, and every
 * delivery continues the trace of `traceContext` (W3C, null when tracing is off).
 */
export async function insertEventWithDeliveries(
  tx: Sql,
  event: PaymentEvent,
  about: {
    readonly paymentId: string;
    readonly requestId: string | null;
    readonly traceContext: string | null;
    readonly createdAt: Date;
  },
  deliveryLeaseUntil: Date | null,
): Promise<WrittenDelivery[]> {
  const [row] = await tx.query<{ deliveries: WrittenDelivery[] }>(INSERT_EVENT_WITH_DELIVERIES, [
    event.id,
    event.type,
    about.paymentId,
    event.sequence,
    event.body,
    about.requestId,
    about.createdAt,
    deliveryLeaseUntil,
    about.traceContext,
  ]);
  return row.deliveries;
}
