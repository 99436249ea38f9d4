import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { PAYMENT_METHOD, PAYMENT_METHOD_MESSAGE } from '../../invoices/dto/invoice.dto';

/** `PATCH /v1/subscriptions/{id}`: the fields a customer may change directly (only the payment method for now). */
export class UpdateSubscriptionRequest {
  @ApiProperty({
    example: 'pm_card_visa',
    description:
      'The default payment method for future charges (renewals and dunning retries); an attempt already in flight keeps its method. ' +
      'Same format as when subscribing.',
  })
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod!: string;
}
