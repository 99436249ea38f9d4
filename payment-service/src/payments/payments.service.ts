import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isUUID } from 'class-validator';
import { PrismaService } from '../platform/database/prisma.service';
import { NotFoundError } from '../platform/errors/domain-error';
import { ListPage, pageArgs, toPage } from '../platform/http/pagination';
import { IdempotencyContext } from '../platform/idempotency/idempotency.interceptor';
import { IdempotencyKeyReusedError } from '../platform/idempotency/idempotency.store';
import { Clock, CLOCK } from '../platform/time/clock';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { PaymentResponse } from './dto/payment.response';
import { PaymentProcessingWorker } from './payment-processing.worker';
import { toPaymentResource, WITH_ATTEMPTS } from './payment.resource';

export interface CreatedPayment {
  payment: PaymentResponse;
  /** True when an earlier request with the same Idempotency-Key had already created it. */
  replayed: boolean;
}

@Injectable()
export class PaymentsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly processingWorker: PaymentProcessingWorker,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Accepts a payment for asynchronous processing; the outcome arrives by webhook. With an Idempotency-Key the
   * scope is written in the same insert as the payment (unique column), so a key can never create two payments:
   * when the scope is already taken, the existing payment is the answer (`replayed`) — or a 422 for another body.
   */
  async create(input: CreatePaymentDto, requestId: string, idempotency?: IdempotencyContext): Promise<CreatedPayment> {
    const now = this.clock.now();
    const id = randomUUID();
    const { count } = await this.prisma.payment.createMany({
      data: [
        {
          ...input,
          id,
          metadata: input.metadata ?? {},
          requestId,
          idempotencyScope: idempotency?.scope ?? null,
          idempotencyRequestHash: idempotency?.requestHash ?? null,
          nextAttemptAt: now,
          createdAt: now,
          updatedAt: now,
        },
      ],
      // ON CONFLICT DO NOTHING: only idempotency_scope can collide (the id is fresh).
      skipDuplicates: true,
    });
    if (count === 1) {
      this.processingWorker.kick();
      return { payment: toPaymentResource(await this.prisma.payment.findUniqueOrThrow({ where: { id }, include: WITH_ATTEMPTS })), replayed: false };
    }
    const existing = idempotency
      ? await this.prisma.payment.findUnique({ where: { idempotencyScope: idempotency.scope }, include: WITH_ATTEMPTS })
      : null;
    if (!existing) {
      throw new Error(`payment insert skipped without an idempotency scope conflict (scope: ${idempotency?.scope ?? 'none'})`);
    }
    if (existing.idempotencyRequestHash !== idempotency?.requestHash) {
      throw new IdempotencyKeyReusedError();
    }
    return { payment: toPaymentResource(existing), replayed: true };
  }

  /** Unknown and malformed ids are both "no such payment" (404): ids are opaque to clients. */
  async get(id: string): Promise<PaymentResponse> {
    const payment = isUUID(id) ? await this.prisma.payment.findUnique({ where: { id }, include: WITH_ATTEMPTS }) : null;
    if (!payment) {
      throw new NotFoundError('payment', id);
    }
    return toPaymentResource(payment);
  }

  async list(query: ListPaymentsQuery): Promise<ListPage<PaymentResponse>> {
    const payments = await this.prisma.payment.findMany({
      where: { merchantReference: query.merchantReference, customerReference: query.customerReference, status: query.status },
      include: WITH_ATTEMPTS,
      ...pageArgs(query),
    });
    return toPage(payments, query, toPaymentResource);
  }
}
