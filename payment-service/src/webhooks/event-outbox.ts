import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SqlTransaction } from '../platform/database/database';
import { PaymentResponse } from '../payments/dto/payment.response';
import { insertEvent } from './webhook-delivery.repository';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';

export type PaymentEventType = 'payment.succeeded' | 'payment.failed';

export interface PaymentEventInput {
  type: PaymentEventType;
  payment: PaymentResponse;
  /** The payment's event_sequence after this event. */
  sequence: number;
  requestId: string | null;
  createdAt: Date;
}

/**
 * Records an event and one pending delivery per enabled endpoint inside the caller's transaction,
 * so the state change and the message it causes commit together. Sending happens after commit.
 */
@Injectable()
export class EventOutbox {
  constructor(private readonly deliveryWorker: WebhookDeliveryWorker) {}

  async record(tx: SqlTransaction, input: PaymentEventInput): Promise<string> {
    const id = randomUUID();
    // Serialised once: these exact bytes are signed and sent on every attempt.
    const body = JSON.stringify({
      id,
      type: input.type,
      createdAt: input.createdAt.toISOString(),
      sequence: input.sequence,
      data: { object: input.payment },
    });
    await insertEvent(tx, { id, type: input.type, paymentId: input.payment.id, sequence: input.sequence, body, requestId: input.requestId, createdAt: input.createdAt });
    await this.deliveryWorker.enqueue(tx, { id, body, requestId: input.requestId }, input.createdAt);
    return id;
  }
}
