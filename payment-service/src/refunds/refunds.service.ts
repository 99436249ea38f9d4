import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isUUID } from 'class-validator';
import { Refund } from '../generated/prisma/client';
import { Database, SqlTransaction } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { cursorAfter, ListPage, PaginationQuery, toPage } from '../platform/http/pagination';
import { IdempotencyContext, IdempotencyKeyReusedError } from '../platform/idempotency/idempotency-key';
import { Clock, CLOCK } from '../platform/time/clock';
import { currentTraceContext } from '../platform/tracing/trace-context';
import { WorkSignal } from '../platform/workers/work-signal';
import { decideRefundAmount } from './domain/refund-amount';
import { CreateRefundDto } from './dto/create-refund.dto';
import { RefundResponse } from './dto/refund.response';
import { PaymentNotRefundableError, RefundExceedsRefundableError } from './refund-errors';
import { REFUND_ATTEMPTS } from './refund-work';
import {
  findRefund,
  findRefundByIdempotencyScope,
  findRefundCursor,
  insertRefund,
  listRefundsOfPayment,
  lockPaymentForRefund,
  paymentExists,
  RefundLease,
  reservedRefundAmount,
} from './refund.repository';
import { asCreatedRefund, RefundWithAttempts, toRefundResponse } from './refund.mapper';

export interface CreatedRefund {
  refund: RefundResponse;
  /** True when an earlier request with the same Idempotency-Key had already created it. */
  replayed: boolean;
}

@Injectable()
export class RefundsService {
  constructor(
    private readonly db: Database,
    private readonly work: WorkSignal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Accepts a refund of a payment for asynchronous processing (`pending`; the outcome arrives as a
   * `refund.succeeded` / `refund.failed` webhook). One transaction that locks the payment row first, so
   * concurrent refunds of one payment are checked one after another and can never together exceed its amount.
   * `amount` is in minor units of the payment's currency; absent, everything still refundable is refunded.
   * Idempotency-Key as for payments: the refund row records the key's scope and body hash (unique scope); a
   * known key answers its refund as created (`replayed`), or 422 for another body or another payment.
   * @throws DomainError 404 `not_found` when there is no such payment.
   * @throws PaymentNotRefundableError (409) when the payment is not `succeeded`.
   * @throws RefundExceedsRefundableError (422) when the amount exceeds the payment amount minus its pending and succeeded refunds.
   * @throws IdempotencyKeyReusedError (422) for a known key with another body or payment.
   */
  async create(
    paymentId: string,
    input: CreateRefundDto,
    requestId: string,
    idempotency?: IdempotencyContext,
  ): Promise<CreatedRefund> {
    if (!isUUID(paymentId)) throw DomainError.notFound('payment', paymentId);
    const now = this.clock.now();
    const processing = this.work.reserve(REFUND_ATTEMPTS, now);
    let committed: RefundLease | null = null;
    try {
      const result = await this.db.transaction((tx) =>
        this.createIn(tx, paymentId, input, requestId, idempotency, now, processing?.leaseUntil ?? null),
      );
      if (processing && result.created)
        committed = {
          ...withoutAttempts(result.created),
          paymentMethod: result.paymentMethod,
          leaseUntil: processing.leaseUntil,
        };
      return {
        refund: toRefundResponse(result.created ?? asCreatedRefund(result.replayed as Refund)),
        replayed: result.created === null,
      };
    } finally {
      // The slot reserved for it: the attempt starts now that the refund is committed, or the slot is freed.
      await processing?.committed(committed);
    }
  }

  private async createIn(
    tx: SqlTransaction,
    paymentId: string,
    input: CreateRefundDto,
    requestId: string,
    idempotency: IdempotencyContext | undefined,
    now: Date,
    leaseUntil: Date | null,
  ): Promise<{ created: RefundWithAttempts | null; replayed: Refund | null; paymentMethod: string }> {
    const payment = await lockPaymentForRefund(tx, paymentId);
    if (!payment) throw DomainError.notFound('payment', paymentId);
    // After the lock: a duplicate of a request that just committed sees its refund here.
    const earlier = idempotency ? await findRefundByIdempotencyScope(tx, idempotency.scope) : null;
    if (earlier)
      return {
        created: null,
        replayed: replayable(earlier, paymentId, idempotency),
        paymentMethod: payment.paymentMethod,
      };

    const decision = decideRefundAmount(
      {
        paymentStatus: payment.status,
        paymentAmount: payment.amount,
        reservedAmount: await reservedRefundAmount(tx, paymentId),
      },
      input.amount,
    );
    if (!decision.ok) {
      if (decision.code === 'payment_not_refundable')
        throw new PaymentNotRefundableError(paymentId, decision.paymentStatus);
      throw new RefundExceedsRefundableError(paymentId, decision.requested, decision.refundable, payment.currency);
    }
    const created = await insertRefund(tx, {
      id: randomUUID(),
      paymentId,
      amount: decision.amount,
      currency: payment.currency,
      reason: input.reason ?? 'requested_by_customer',
      metadata: input.metadata ?? {},
      requestId,
      traceContext: currentTraceContext(),
      idempotencyScope: idempotency?.scope ?? null,
      idempotencyRequestHash: idempotency?.requestHash ?? null,
      lockedUntil: leaseUntil,
      createdAt: now,
    });
    if (created) return { created, replayed: null, paymentMethod: payment.paymentMethod };
    // The key was taken meanwhile by a request for another payment (same-payment duplicates wait on the lock above).
    const taken = idempotency ? await findRefundByIdempotencyScope(tx, idempotency.scope) : null;
    if (!taken)
      throw new Error(
        `refund insert skipped without an idempotency scope conflict (scope: ${idempotency?.scope ?? 'none'})`,
      );
    return { created: null, replayed: replayable(taken, paymentId, idempotency), paymentMethod: payment.paymentMethod };
  }

  /** Unknown and malformed ids are both "no such refund" (404). */
  async get(id: string): Promise<RefundResponse> {
    const refund = isUUID(id) ? await findRefund(this.db, id) : null;
    if (!refund) throw DomainError.notFound('refund', id);
    return toRefundResponse(refund);
  }

  /**
   * The payment's refunds, newest first, with their attempts.
   * @throws DomainError 404 `not_found` when there is no such payment.
   */
  async listForPayment(paymentId: string, query: PaginationQuery): Promise<ListPage<RefundResponse>> {
    if (!isUUID(paymentId) || !(await paymentExists(this.db, paymentId)))
      throw DomainError.notFound('payment', paymentId);
    const cursor = await cursorAfter(query.startingAfter, (id) => findRefundCursor(this.db, id));
    const refunds = await listRefundsOfPayment(this.db, paymentId, cursor, query.limit + 1);
    return toPage(refunds, query, toRefundResponse);
  }
}

/**
 * The refund an earlier request with this key created, when this request is the same one again: same body and
 * same payment (the key's scope is the route pattern, so the payment id is compared here).
 * @throws IdempotencyKeyReusedError (422) otherwise.
 */
function replayable(earlier: Refund, paymentId: string, idempotency: IdempotencyContext | undefined): Refund {
  if (earlier.paymentId !== paymentId || earlier.idempotencyRequestHash !== idempotency?.requestHash)
    throw new IdempotencyKeyReusedError();
  return earlier;
}

function withoutAttempts({ attempts, ...refund }: RefundWithAttempts): Refund {
  return refund;
}
