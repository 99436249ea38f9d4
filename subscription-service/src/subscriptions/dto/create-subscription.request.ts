import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { PAYMENT_METHOD, PAYMENT_METHOD_MESSAGE } from '../../invoices/dto/invoice.dto';
import { SEED_IDS } from '../../seed-ids';

export class CreateSubscriptionRequest {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly })
  @IsUUID()
  planId!: string;

  @ApiProperty({
    example: 'pm_card_visa',
    description:
      'Payment service test methods: pm_card_visa (succeeds), pm_card_declined, pm_card_insufficient_funds, …',
  })
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: SEED_IDS.users.alice,
    description: 'Required with an admin key (whom to subscribe); with a user key it may only name the caller.',
  })
  @IsOptional()
  @IsUUID()
  userId?: string;
}
