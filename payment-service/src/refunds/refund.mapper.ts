import { Refund, RefundAttempt } from '../generated/prisma/client';
import { RefundResponse } from './dto/refund.response';

/** A refund with its attempts, oldest first: what the Refund resource shows. */
export type RefundWithAttempts = Refund & { attempts: RefundAttempt[] };

export function toRefundResponse(refund: RefundWithAttempts): RefundResponse {
  return {
    id: refund.id,
    object: 'refund',
    paymentId: refund.paymentId,
    amount: refund.amount,
    currency: refund.currency,
    reason: refund.reason,
    status: refund.status,
    failureCode: refund.failureCode,
    failureMessage: refund.failureMessage,
    metadata: refund.metadata as Record<string, string>,
    attempts: refund.attempts.map((attempt) => ({
      id: attempt.id,
      attemptNumber: attempt.attemptNumber,
      outcome: attempt.outcome,
      failureCode: attempt.failureCode,
      failureMessage: attempt.failureMessage,
      startedAt: attempt.startedAt.toISOString(),
      finishedAt: attempt.finishedAt.toISOString(),
    })),
    createdAt: refund.createdAt.toISOString(),
    updatedAt: refund.updatedAt.toISOString(),
    processedAt: refund.processedAt?.toISOString() ?? null,
  };
}

/** Sum, in minor units, of the `succeeded` refunds among `refunds`: the payment's `amountRefunded`. */
export function amountRefunded(refunds: readonly Pick<Refund, 'amount' | 'status'>[]): number {
  return refunds.reduce((sum, refund) => (refund.status === 'succeeded' ? sum + refund.amount : sum), 0);
}

/**
 * The refund as the request that created it saw it: what a replay of that request answers, whatever happened
 * to the refund since (the Idempotency-Key replays the first response, as for payments).
 */
export function asCreatedRefund(refund: Refund): RefundWithAttempts {
  return {
    ...refund,
    status: 'pending',
    failureCode: null,
    failureMessage: null,
    processedAt: null,
    updatedAt: refund.createdAt,
    attempts: [],
  };
}
