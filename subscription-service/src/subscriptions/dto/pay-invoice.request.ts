import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { PAYMENT_METHOD, PAYMENT_METHOD_MESSAGE } from '../../invoices/dto/invoice.dto';

export class PayInvoiceRequest {
  @ApiProperty({
    example: 'pm_card_visa',
    description: "The method to charge now; it also becomes the subscription's payment method.",
  })
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod!: string;
}
