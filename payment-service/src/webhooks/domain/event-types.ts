export type PaymentEventType = 'payment.succeeded' | 'payment.failed';
export type RefundEventType = 'refund.succeeded' | 'refund.failed';
export type EventType = PaymentEventType | RefundEventType;

/** Every event type, in the order documented (docs/contracts.md, "Webhooks"). */
export const EVENT_TYPES: readonly EventType[] = [
  'payment.succeeded',
  'payment.failed',
  'refund.succeeded',
  'refund.failed',
];
