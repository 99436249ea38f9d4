import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsInt, IsOptional, Max, Min } from 'class-validator';
import { RefundReason } from '../../generated/prisma/enums';
import { MAX_AMOUNT } from '../../money/domain/money';
import { IsStringMap } from '../../platform/http/is-string-map';

/** Body of `POST /v1/payments/{id}/refunds` (docs/contracts.md). */
export class CreateRefundDto {
  @ApiPropertyOptional({
    description:
      "Amount to refund in minor units of the payment's currency. Default: everything still refundable " +
      '(the payment amount minus its pending and succeeded refunds).',
    example: 900,
    minimum: 1,
    maximum: MAX_AMOUNT,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  amount?: number;

  @ApiPropertyOptional({
    enum: RefundReason,
    default: RefundReason.requested_by_customer,
    example: RefundReason.requested_by_customer,
    description: "Stripe's refund reasons, plus `no_obligation` (nothing was owed, e.g. the invoice was voided).",
  })
  @IsOptional()
  @IsEnum(RefundReason)
  reason?: RefundReason;

  @ApiPropertyOptional({
    description: 'Flat object of at most 20 string values, returned as is and in webhooks.',
    example: { invoiceId: '7d1b0a7e-0c7c-4d5c-9d8e-2b1f4a6c9e01' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsStringMap({ maxEntries: 20, maxKeyLength: 40, maxValueLength: 500 })
  metadata?: Record<string, string>;
}
