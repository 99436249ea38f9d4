import { formatMinorUnits } from '../money/domain/money';
import { DomainError } from '../platform/errors/domain-error';

/** 409: only a `succeeded` payment can be refunded (Stripe refuses refunds of charges that did not succeed). */
export class PaymentNotRefundableError extends DomainError {
  constructor(paymentId: string, status: string) {
    super('payment_not_refundable', `Payment "${paymentId}" is ${status}; only a succeeded payment can be refunded.`);
  }
}

/** 422: the refund is larger than what is left of the payment after its pending and succeeded refunds. */
export class RefundExceedsRefundableError extends DomainError {
  /** Amounts in minor units of `currency`; the detail shows them in major units (e.g. 20.00 USD). */
  constructor(paymentId: string, requested: number, refundable: number, currency: string) {
    super(
      'refund_exceeds_refundable',
      refundable === 0
        ? `Payment "${paymentId}" has nothing left to refund.`
        : `A refund of ${formatMinorUnits(requested, currency)} ${currency} exceeds the ${formatMinorUnits(refundable, currency)} ${currency} ` +
            `still refundable on payment "${paymentId}".`,
    );
  }
}
