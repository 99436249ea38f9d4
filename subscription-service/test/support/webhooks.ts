import { randomUUID } from 'node:crypto';
import { signWebhook } from '../../src/webhooks/domain/webhook-signature';
import { TEST_WEBHOOK_SECRET } from './test-app';

export interface PaymentEventInput {
  readonly type: 'payment.succeeded' | 'payment.failed';
  readonly invoiceId: string;
  readonly invoicePaymentId?: string;
  readonly subscriptionId?: string;
  readonly gatewayPaymentId?: string;
  readonly sequence?: number;
  readonly failureCode?: string;
  readonly eventId?: string;
  /** Minor units; what the gateway captured. */
  readonly amount: number;
  readonly currency: string;
}

/** A payment-service event body exactly as docs/contracts.md describes it. */
export function paymentEvent(input: PaymentEventInput): { id: string; body: string } {
  const id = input.eventId ?? randomUUID();
  const succeeded = input.type === 'payment.succeeded';
  const body = JSON.stringify({
    id,
    type: input.type,
    createdAt: new Date().toISOString(),
    sequence: input.sequence ?? 1,
    data: {
      object: {
        id: input.gatewayPaymentId ?? randomUUID(),
        object: 'payment',
        status: succeeded ? 'succeeded' : 'failed',
        amount: input.amount,
        currency: input.currency,
        merchantReference: input.invoiceId,
        customerReference: randomUUID(),
        paymentMethod: succeeded ? 'pm_card_visa' : 'pm_card_declined',
        description: 'test',
        metadata: {
          ...(input.subscriptionId ? { subscriptionId: input.subscriptionId } : {}),
          ...(input.invoicePaymentId ? { invoicePaymentId: input.invoicePaymentId } : {}),
        },
        failureCode: succeeded ? null : (input.failureCode ?? 'card_declined'),
        failureMessage: succeeded ? null : 'The card was declined.',
        attempts: [],
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
        processedAt: new Date().toISOString(),
      },
    },
  });
  return { id, body };
}

/** Standard Webhooks headers for `body`, signed with `secret` at `timestamp` (unix seconds). */
export function signedHeaders(
  id: string,
  body: string,
  timestamp: number,
  secret = TEST_WEBHOOK_SECRET,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}

export interface RefundEventInput {
  readonly type: 'refund.succeeded' | 'refund.failed';
  readonly gatewayRefundId: string;
  readonly gatewayPaymentId: string;
  readonly invoiceRefundId: string;
  readonly amount: number;
  readonly currency: string;
  readonly sequence: number;
}

/** A payment-service refund event body as docs/contracts.md describes it (`data.object` is the Refund resource). */
export function refundEvent(input: RefundEventInput): { id: string; body: string } {
  const id = randomUUID();
  const succeeded = input.type === 'refund.succeeded';
  const body = JSON.stringify({
    id,
    type: input.type,
    createdAt: new Date().toISOString(),
    sequence: input.sequence,
    data: {
      object: {
        id: input.gatewayRefundId,
        object: 'refund',
        paymentId: input.gatewayPaymentId,
        amount: input.amount,
        currency: input.currency,
        reason: 'no_obligation',
        status: succeeded ? 'succeeded' : 'failed',
        failureCode: succeeded ? null : 'refund_failed',
        failureMessage: succeeded ? null : 'The refund could not be completed.',
        metadata: { invoiceRefundId: input.invoiceRefundId },
        attempts: [],
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
        processedAt: new Date().toISOString(),
      },
    },
  });
  return { id, body };
}
