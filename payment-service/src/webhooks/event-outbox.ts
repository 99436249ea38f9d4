import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PaymentResponse } from '../payments/dto/payment.response';

export type PaymentEventType = 'payment.succeeded' | 'payment.failed';

export interface PaymentEventInput {
  type: PaymentEventType;
  payment: PaymentResponse;
  /** The payment's event_sequence after this event. */
  sequence: number;
  createdAt: Date;
}

/** An event ready to be written with the state change that causes it (see recordSettlement). */
export interface ComposedEvent {
  /** Also the `webhook-id`: receivers deduplicate on it. */
  readonly id: string;
  readonly type: PaymentEventType;
  readonly sequence: number;
  /** Serialised once: these exact bytes are signed and sent on every delivery attempt. */
  readonly body: string;
}

/**
 * The payment events of the webhook contract (docs/contracts.md). The event and one pending delivery per
 * enabled endpoint are written in the same statement as the payment's settlement, so the state change and
 * the message it causes commit together; sending happens after commit (WebhookDeliveryWorker).
 */
@Injectable()
export class EventOutbox {
  compose(input: PaymentEventInput): ComposedEvent {
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
}
