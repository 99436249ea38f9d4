import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { PaginationQuery } from '../../platform/http/pagination';
import { SEED_IDS } from '../../seed-ids';
import { INVOICE_PAYMENT_STATUSES, INVOICE_STATUSES, InvoiceStatus } from '../domain/invoice-status';

/** A payment method reference as the payment service accepts it (docs/contracts.md). */
export const PAYMENT_METHOD = /^pm_[A-Za-z0-9_]{1,60}$/;
export const PAYMENT_METHOD_MESSAGE = 'paymentMethod must look like pm_card_visa (pm_ + 1-60 letters, digits or _)';

/** `POST /v1/invoices/{id}/pay`. */
export class PayNowRequest {
  @ApiPropertyOptional({
    example: 'pm_card_visa',
    description:
      "The method to charge for this attempt only; default: the subscription's payment method on file. It does not become the " +
      "subscription's default (`PATCH /v1/subscriptions/{id}` does that).",
  })
  @IsOptional()
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod?: string;
}

export class ListInvoicesQuery extends PaginationQuery {
  @ApiPropertyOptional({ format: 'uuid', example: SEED_IDS.bobSubscription })
  @IsOptional()
  @IsUUID()
  subscriptionId?: string;

  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatus;
}

export class InvoiceLineResponse {
  @ApiProperty({ enum: ['subscription', 'credit', 'charge'] })
  type!: string;

  @ApiProperty({ example: 'Remaining time on Pro' })
  description!: string;

  @ApiProperty({ format: 'uuid' })
  planId!: string;

  @ApiProperty({ example: 1450, description: 'Minor units; credits are negative.' })
  amount!: number;

  @ApiProperty({ format: 'date-time' })
  periodStart!: string;

  @ApiProperty({ format: 'date-time' })
  periodEnd!: string;
}

export class InvoicePaymentResponse {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.bobInitialInvoicePayment })
  id!: string;

  @ApiProperty({ enum: ['invoice_payment'] })
  object!: 'invoice_payment';

  @ApiProperty({ example: 'pm_card_visa' })
  paymentMethod!: string;

  @ApiProperty({
    enum: INVOICE_PAYMENT_STATUSES,
    example: 'succeeded',
    description:
      '`unknown`: the request to the payment service timed out or its connection dropped after sending; resolved by the retry (same Idempotency-Key) or by reconciliation. ' +
      '`canceled`: never charged, because the invoice was voided or settled before the request was sent.',
  })
  status!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Payment id at the payment service.' })
  gatewayPaymentId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  failureCode!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  failureMessage!: string | null;

  @ApiProperty({
    enum: ['billing', 'customer'],
    example: 'customer',
    description:
      "Who asked for this attempt: `billing` (a renewal's first attempt, a dunning retry) or `customer` (subscribe, a plan change, " +
      'pay now, the retry after a payment-method update). Only failed `billing` attempts count as dunning retries.',
  })
  initiatedBy!: 'billing' | 'customer';

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class InvoiceRefundResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['invoice_refund'] })
  object!: 'invoice_refund';

  @ApiProperty({ format: 'uuid', description: 'The invoice payment whose money is returned.' })
  invoicePaymentId!: string;

  @ApiProperty({ example: 2900, description: 'Minor units of `currency`: always the whole captured amount.' })
  amount!: number;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({
    example: 'no_obligation',
    description: "The payment service's refund reason: `no_obligation` or `duplicate`.",
  })
  reason!: string;

  @ApiProperty({
    example: 'invoice_void',
    description:
      'Why nothing was owed: `invoice_void`, `invoice_failed` (a late success the invoice could no longer use) or `invoice_paid_by_another_payment`.',
  })
  explanation!: string;

  @ApiProperty({ enum: ['pending', 'processing', 'succeeded', 'failed'], example: 'succeeded' })
  status!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Refund id at the payment service, once it accepted the request.',
  })
  gatewayRefundId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  failureCode!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class InvoiceResponse {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.bobInitialInvoice })
  id!: string;

  @ApiProperty({ enum: ['invoice'] })
  object!: 'invoice';

  @ApiProperty({ format: 'uuid', example: SEED_IDS.bobSubscription })
  subscriptionId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.users.bob })
  userId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.starterMonthly })
  planId!: string;

  @ApiProperty({ enum: ['initial', 'proration', 'renewal'], example: 'initial' })
  kind!: string;

  @ApiProperty({ enum: INVOICE_STATUSES, example: 'paid' })
  status!: string;

  @ApiProperty({ example: 900, description: 'Total in minor units.' })
  amount!: number;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({ format: 'date-time' })
  periodStart!: string;

  @ApiProperty({ format: 'date-time' })
  periodEnd!: string;

  @ApiProperty({ example: 'Starter - initial invoice' })
  description!: string;

  @ApiProperty({ type: [InvoiceLineResponse] })
  lines!: InvoiceLineResponse[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  paidAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  failedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  failureCode!: string | null;

  @ApiProperty({ type: [InvoicePaymentResponse] })
  payments!: InvoicePaymentResponse[];

  @ApiProperty({ example: 0, description: 'Minor units returned to the customer by succeeded refunds.' })
  amountRefunded!: number;

  @ApiProperty({
    type: [InvoiceRefundResponse],
    description:
      'Money captured while the invoice no longer owed it (void, failed, or already paid), returned automatically.',
  })
  refunds!: InvoiceRefundResponse[];

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class InvoiceListResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [InvoiceResponse] })
  data!: InvoiceResponse[];

  @ApiProperty()
  hasMore!: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  nextCursor!: string | null;
}
