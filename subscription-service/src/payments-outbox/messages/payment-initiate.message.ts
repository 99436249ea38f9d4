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

/** A `payment.initiate` message being written, as raised on the WorkSignal: enough for the outbox worker to send it once committed. */
export interface PaymentInitiateWork {
  /** The outbox message id. */
  readonly id: string;
  readonly payload: PaymentInitiatePayload;
  readonly requestId: string | null;
}
