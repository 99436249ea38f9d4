import { ApiProperty } from '@nestjs/swagger';
import { PaymentAttemptOutcome, PaymentStatus } from '../../generated/prisma/enums';
import { RefundResponse } from '../../refunds/dto/refund.response';

export class PaymentAttemptResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 1 }) attemptNumber!: number;
  @ApiProperty({ enum: PaymentAttemptOutcome, example: 'succeeded' }) outcome!: PaymentAttemptOutcome;
  @ApiProperty({ type: String, nullable: true, example: null }) failureCode!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) failureMessage!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) finishedAt!: string;
}

/** The `Payment` resource of docs/contracts.md; also `data.object` of payment events. */
export class PaymentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['payment'] }) object!: 'payment';
  @ApiProperty({ enum: PaymentStatus, example: 'processing' }) status!: PaymentStatus;
  @ApiProperty({ example: 1999 }) amount!: number;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: '7d1b0a7e-0c7c-4d5c-9d8e-2b1f4a6c9e01' }) merchantReference!: string;
  @ApiProperty({ example: '3f9c2a10-5b8e-4c1d-8a7f-6e2d9b0c4a11' }) customerReference!: string;
  @ApiProperty({ example: 'pm_card_visa' }) paymentMethod!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Pro plan - initial invoice' }) description!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { subscriptionId: '0b7e3c52-9a4f-4e8b-b1d2-5c6a7f8e9d10' },
  })
  metadata!: Record<string, string>;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'card_declined, insufficient_funds, expired_card, processing_error',
  })
  failureCode!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) failureMessage!: string | null;
  @ApiProperty({ type: [PaymentAttemptResponse], description: 'Every processing try, oldest first.' })
  attempts!: PaymentAttemptResponse[];
  @ApiProperty({ example: 0, description: 'Sum of the succeeded refunds, in minor units.' }) amountRefunded!: number;
  @ApiProperty({
    type: () => [RefundResponse],
    description: 'Every refund of the payment (any status), oldest first, with its attempts.',
  })
  refunds!: RefundResponse[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null }) processedAt!: string | null;
}

export class PaymentListResponse {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [PaymentResponse] }) data!: PaymentResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) nextCursor!: string | null;
}
