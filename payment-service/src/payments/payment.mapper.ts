import { Payment, PaymentAttempt } from '../generated/prisma/client';
import { amountRefunded, RefundWithAttempts, toRefundResponse } from '../refunds/refund.mapper';
import { PaymentResponse } from './dto/payment.response';

/** A payment with its attempts and its refunds, each oldest first: what the Payment resource shows. */
export type PaymentWithAttempts = Payment & { attempts: PaymentAttempt[]; refunds: RefundWithAttempts[] };

export function toPaymentResponse(payment: PaymentWithAttempts): PaymentResponse {
  return {
    id: payment.id,
    object: 'payment',
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    merchantReference: payment.merchantReference,
    customerReference: payment.customerReference,
    paymentMethod: payment.paymentMethod,
    description: payment.description,
    metadata: payment.metadata as Record<string, string>,
    failureCode: payment.failureCode,
    failureMessage: payment.failureMessage,
    attempts: payment.attempts.map((attempt) => ({
      id: attempt.id,
      attemptNumber: attempt.attemptNumber,
      outcome: attempt.outcome,
      failureCode: attempt.failureCode,
      failureMessage: attempt.failureMessage,
      startedAt: attempt.startedAt.toISOString(),
      finishedAt: attempt.finishedAt.toISOString(),
    })),
    amountRefunded: amountRefunded(payment.refunds),
    refunds: payment.refunds.map(toRefundResponse),
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
    processedAt: payment.processedAt?.toISOString() ?? null,
  };
}
