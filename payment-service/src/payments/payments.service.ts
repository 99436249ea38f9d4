import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { PrismaService } from '../platform/database/prisma.service';
import { NotFoundError } from '../platform/errors/domain-error';
import { ListPage, pageArgs, toPage } from '../platform/http/pagination';
import { Clock, CLOCK } from '../platform/time/clock';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { PaymentResponse } from './dto/payment.response';
import { PaymentProcessingWorker } from './payment-processing.worker';
import { toPaymentResource, WITH_ATTEMPTS } from './payment.resource';

@Injectable()
export class PaymentsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly processingWorker: PaymentProcessingWorker,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Accepts a payment for asynchronous processing; the outcome arrives by webhook. */
  async create(input: CreatePaymentDto, requestId: string): Promise<PaymentResponse> {
    const now = this.clock.now();
    const payment = await this.prisma.payment.create({
      data: { ...input, metadata: input.metadata ?? {}, requestId, nextAttemptAt: now, createdAt: now, updatedAt: now },
      include: WITH_ATTEMPTS,
    });
    this.processingWorker.kick();
    return toPaymentResource(payment);
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
