/** The outbox topic of a request to the payment service to refund a captured payment. */
export const REFUND_CREATE_TOPIC = 'refund.create';

/**
 * What the outbox worker needs to ask the payment service for a refund (`POST /v1/payments/{id}/refunds`,
 * docs/contracts.md); the amount is in minor units of the payment's currency.
 */
export interface RefundCreatePayload {
  readonly invoiceRefundId: string;
  readonly invoiceId: string;
  readonly gatewayPaymentId: string;
  readonly amount: number;
  readonly currency: string;
  /** The payment service's refund reason: `no_obligation` or `duplicate`. */
  readonly reason: string;
}
