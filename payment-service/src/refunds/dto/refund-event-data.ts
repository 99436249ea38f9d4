import { ApiProperty } from '@nestjs/swagger';
import { RefundResponse } from './refund.response';

/** The `data` of a `refund.*` event (webhooks/dto/event.response.ts refers to its schema by name). */
export class RefundEventData {
  @ApiProperty({
    type: RefundResponse,
    description: 'The refund as it was when the event happened (it carries `paymentId`).',
  })
  object!: RefundResponse;
}
