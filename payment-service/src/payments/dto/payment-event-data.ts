import { ApiProperty } from '@nestjs/swagger';
import { PaymentResponse } from './payment.response';

/** The `data` of a `payment.*` event (webhooks/dto/event.response.ts refers to its schema by name). */
export class PaymentEventData {
  @ApiProperty({ type: PaymentResponse, description: 'The payment as it was when the event happened.' })
  object!: PaymentResponse;
}
