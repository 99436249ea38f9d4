import { WorkTopic } from '../../platform/workers/work-signal';

/** The outbox topic of a request to the payment service to charge an invoice payment. */
export const PAYMENT_INITIATE_TOPIC = 'payment.initiate';

/** What the outbox worker needs to ask the payment service for money (docs/contracts.md); amounts in minor units. */
export interface PaymentInitiatePayload {
  readonly invoicePaymentId: string;
  readonly invoiceId: string;
  readonly subscriptionId: string;
  readonly userId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paymentMethod: string;
  readonly description: string;
}

/**
 * A `payment.initiate` message written leased under a reservation on CHARGES_TO_SEND: what the outbox worker needs
 * to send it once committed, without reading it back.
 */
export interface WrittenCharge {
  /** The outbox message id. */
  readonly id: string;
  readonly payload: PaymentInitiatePayload;
  readonly requestId: string | null;
  /** W3C trace context of the operation that wrote it (null when tracing is off): its send continues that trace. */
  readonly traceContext: string | null;
  /** The lease it was written with (`locked_until`, system time): the message is this process's until then. */
  readonly leaseUntil: Date;
}

/**
 * Charges to send to the payment service. Reserved by the transaction that writes a `payment.initiate` message
 * (InvoiceIssuer: the message is written leased and sent right after the commit), listened to by
 * PaymentOutboxWorker. Refund requests, retries and charges written while every send slot was busy are left to
 * the worker's polling.
 */
export const CHARGES_TO_SEND = new WorkTopic<WrittenCharge>('charges-to-send');
