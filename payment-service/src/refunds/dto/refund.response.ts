import { ApiProperty } from '@nestjs/swagger';
import { RefundReason, RefundStatus } from '../../generated/prisma/enums';
import { RefundAttemptResponse } from './refund-attempt.response';

/** The `Refund` resource of docs/contracts.md; also `data.object` of refund events. */
export class RefundResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['refund'] }) object!: 'refund';
  @ApiProperty({ format: 'uuid', description: 'The refunded payment.' }) paymentId!: string;
  @ApiProperty({ example: 2900, description: 'Minor units of `currency`.' }) amount!: number;
  @ApiProperty({ example: 'USD', description: "The payment's currency." }) currency!: string;
  @ApiProperty({ enum: RefundReason, example: 'no_obligation' }) reason!: RefundReason;
  @ApiProperty({ enum: RefundStatus, example: 'pending', description: 'pending → succeeded | failed (terminal).' })
  status!: RefundStatus;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'refund_failed' }) failureCode!:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) failureMessage!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: {} }) metadata!: Record<
    string,
    string
  >;
  @ApiProperty({ type: [RefundAttemptResponse], description: 'Every processing try, oldest first.' })
  attempts!: RefundAttemptResponse[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null }) processedAt!: string | null;
}
