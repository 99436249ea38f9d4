import { randomUUID } from 'node:crypto';
import { EventType } from './domain/event-types';

/**
 * An event about a payment ready to be written with the state change that causes it (recordSettlement,
 * payments/payment.repository.ts; a refund's settlement, refunds/refund-attempts.service.ts).
 */
export interface PaymentEvent {
  /** Also the `webhook-id`: receivers deduplicate on it. */
  readonly id: string;
  readonly type: EventType;
  /** The payment's event_sequence after this event (refund events continue their payment's sequence). */
  readonly sequence: number;
  /** Serialised once: these exact bytes are signed and sent on every delivery attempt. */
  readonly body: string;
}

/**
 * An event of the webhook contract (docs/contracts.md): a new id and the body `{ id, type, createdAt, sequence,
 * data: { object } }`, where `object` is the resource the event is about: the Payment for `payment.*` events, the
 * Refund (it carries `paymentId`) for `refund.*` events. `sequence` is the payment's next event sequence (a refund
 * event takes the refunded payment's), so a receiver ordering by payment id + sequence sees payment and refund
 * events in the order they happened. The event and one pending delivery per enabled endpoint are then written
 * with the state change that causes it, so both commit together; sending happens after commit
 * (WebhookDeliveryWorker).
 */
export function composeEvent(input: {
  type: EventType;
  object: { readonly object: string };
  sequence: number;
  createdAt: Date;
}): PaymentEvent {
  const { type, object, sequence, createdAt } = input;
  const id = randomUUID();
  const body = JSON.stringify({ id, type, createdAt: createdAt.toISOString(), sequence, data: { object } });
  return { id, type, sequence, body };
}
