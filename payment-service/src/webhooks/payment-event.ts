import { randomUUID } from 'node:crypto';
import { PaymentResponse } from '../payments/dto/payment.response';
import { RefundResponse } from '../refunds/dto/refund.response';

export type PaymentEventType = 'payment.succeeded' | 'payment.failed';
export type RefundEventType = 'refund.succeeded' | 'refund.failed';

/** Every event type, in the order documented (docs/contracts.md, "Webhooks"). */
export const EVENT_TYPES: readonly (PaymentEventType | RefundEventType)[] = ['payment.succeeded', 'payment.failed', 'refund.succeeded', 'refund.failed'];

/**
 * An event about a payment ready to be written with the state change that causes it (recordSettlement,
 * payments/payment.repository.ts; a refund's settlement, refunds/refund-processing.worker.ts).
 */
export interface PaymentEvent {
  /** Also the `webhook-id`: receivers deduplicate on it. */
  readonly id: string;
  readonly type: PaymentEventType | RefundEventType;
  /** The payment's event_sequence after this event (refund events continue their payment's sequence). */
  readonly sequence: number;
  /** Serialised once: these exact bytes are signed and sent on every delivery attempt. */
  readonly body: string;
}

/**
 * A payment event of the webhook contract (docs/contracts.md): a new id and the body `{ id, type, createdAt,
 * sequence, data: { object: payment } }`. The event and one pending delivery per enabled endpoint are then
 * written in the same statement as the payment's settlement, so the state change and the message it causes
 * commit together; sending happens after commit (WebhookDeliveryWorker).
 */
export function composePaymentEvent(input: { type: PaymentEventType; payment: PaymentResponse; sequence: number; createdAt: Date }): PaymentEvent {
  return composeEvent(input.type, input.payment, input.sequence, input.createdAt);
}

/**
 * A refund event (`refund.succeeded` / `refund.failed`): the same envelope as payment events, with the Refund
 * resource (it carries `paymentId`) as `data.object`. `sequence` is the refunded payment's next event sequence,
 * so a receiver ordering by payment id + sequence sees payment and refund events in the order they happened.
 */
export function composeRefundEvent(input: { type: RefundEventType; refund: RefundResponse; sequence: number; createdAt: Date }): PaymentEvent {
  return composeEvent(input.type, input.refund, input.sequence, input.createdAt);
}

function composeEvent(type: PaymentEventType | RefundEventType, object: PaymentResponse | RefundResponse, sequence: number, createdAt: Date): PaymentEvent {
  const id = randomUUID();
  const body = JSON.stringify({ id, type, createdAt: createdAt.toISOString(), sequence, data: { object } });
  return { id, type, sequence, body };
}
