import { randomUUID } from 'node:crypto';
import { PaymentResponse } from '../payments/dto/payment.response';

export type PaymentEventType = 'payment.succeeded' | 'payment.failed';

/** A payment event ready to be written with the state change that causes it (recordSettlement, payments/payment.repository.ts). */
export interface PaymentEvent {
  /** Also the `webhook-id`: receivers deduplicate on it. */
  readonly id: string;
  readonly type: PaymentEventType;
  /** The payment's event_sequence after this event. */
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
  const id = randomUUID();
  const body = JSON.stringify({
    id,
    type: input.type,
    createdAt: input.createdAt.toISOString(),
    sequence: input.sequence,
    data: { object: input.payment },
  });
  return { id, type: input.type, sequence: input.sequence, body };
}
