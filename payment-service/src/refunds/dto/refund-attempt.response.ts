import { ApiProperty } from '@nestjs/swagger';
import { PaymentAttemptOutcome } from '../../generated/prisma/enums';

/** One processing try of a refund (the `refund_attempts` ledger). */
export class RefundAttemptResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 1 }) attemptNumber!: number;
  @ApiProperty({ enum: PaymentAttemptOutcome, example: 'succeeded' }) outcome!: PaymentAttemptOutcome;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'refund_failed' }) failureCode!:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) failureMessage!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) finishedAt!: string;
}
