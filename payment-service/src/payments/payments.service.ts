import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isUUID } from 'class-validator';
import { Payment } from '../generated/prisma/client';
import { Database } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { cursorAfter, ListPage, toPage } from '../platform/http/pagination';
import { IdempotencyContext, IdempotencyKeyReusedError } from '../platform/idempotency/idempotency-key';
import { Clock, CLOCK } from '../platform/time/clock';
import { currentTraceContext } from '../platform/tracing/trace-context';
import { WorkSignal } from '../platform/workers/work-signal';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { PaymentResponse } from './dto/payment.response';
import { PAYMENT_ATTEMPTS } from './payment-work';
import {
  findPayment,
  findPaymentByIdempotencyScope,
  findPaymentCursor,
  insertPayment,
  listPayments,
} from './payment.repository';
import { PaymentWithAttempts, toPaymentResponse } from './payment.mapper';

export interface CreatedPayment {
  payment: PaymentResponse;
  /** True when an earlier request with the same Idempotency-Key had already created it. */
  replayed: boolean;
}

@Injectable()
export class PaymentsService {
  constructor(
    private readonly db: Database,
    private readonly work: WorkSignal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Accepts a payment for asynchronous processing; the outcome arrives by webhook. The payment row is the
   * Idempotency-Key's record: the key's scope and body hash are written in the same insert (unique scope),
   * so a key can never create two payments, a crash can never leave a key half-used, and a concurrent
   * duplicate waits for the first insert. When the scope is already taken, the answer is the first
   * response again (`replayed`: the payment as it was created) — or a 422 for another body.
   * One statement: the new payment is also leased to this process and attempted right away when a slot is free.
   * @throws IdempotencyKeyReusedError (422) for a known key with another body.
   */
  async create(input: CreatePaymentDto, requestId: string, idempotency?: IdempotencyContext): Promise<CreatedPayment> {
    const now = this.clock.now();
    const processing = this.work.reserve(PAYMENT_ATTEMPTS, now);
    let created: PaymentWithAttempts | null = null;
    try {
      created = await insertPayment(this.db, {
        id: randomUUID(),
        amount: input.amount,
        currency: input.currency,
        merchantReference: input.merchantReference,
        customerReference: input.customerReference,
        paymentMethod: input.paymentMethod,
        description: input.description ?? null,
        metadata: input.metadata ?? {},
        requestId,
        traceContext: currentTraceContext(),
        idempotencyScope: idempotency?.scope ?? null,
        idempotencyRequestHash: idempotency?.requestHash ?? null,
        lockedUntil: processing?.leaseUntil ?? null,
        createdAt: now,
      });
    } finally {
      // The slot reserved for it: the attempt starts now, or the slot is freed when nothing was inserted.
      await processing?.committed(created && { ...withoutAttempts(created), leaseUntil: processing.leaseUntil });
    }
    if (created) {
      return { payment: toPaymentResponse(created), replayed: false };
    }
    const existing = idempotency ? await findPaymentByIdempotencyScope(this.db, idempotency.scope) : null;
    if (!existing) {
      throw new Error(
        `payment insert skipped without an idempotency scope conflict (scope: ${idempotency?.scope ?? 'none'})`,
      );
    }
    if (existing.idempotencyRequestHash !== idempotency?.requestHash) {
      throw new IdempotencyKeyReusedError();
    }
    return { payment: toPaymentResponse(asCreated(existing)), replayed: true };
  }

  /** Unknown and malformed ids are both "no such payment" (404): ids are opaque to clients. */
  async get(id: string): Promise<PaymentResponse> {
    const payment = isUUID(id) ? await findPayment(this.db, id) : null;
    if (!payment) {
      throw DomainError.notFound('payment', id);
    }
    return toPaymentResponse(payment);
  }

  async list(query: ListPaymentsQuery): Promise<ListPage<PaymentResponse>> {
    const cursor = await cursorAfter(query.startingAfter, (id) => findPaymentCursor(this.db, id));
    const payments = await listPayments(
      this.db,
      { merchantReference: query.merchantReference, customerReference: query.customerReference, status: query.status },
      cursor,
      query.limit + 1,
    );
    return toPage(payments, query, toPaymentResponse);
  }
}

function withoutAttempts({ attempts, refunds, ...payment }: PaymentWithAttempts): Payment {
  return payment;
}

/**
 * The payment as the request that created it saw it: what a replay of that request answers, whatever
 * happened to the payment since (an Idempotency-Key replays the first response; Stripe does the same).
 */
function asCreated(payment: Payment) {
  return {
    ...payment,
    status: 'processing' as const,
    failureCode: null,
    failureMessage: null,
    processedAt: null,
    updatedAt: payment.createdAt,
    attempts: [],
    refunds: [],
  };
}
