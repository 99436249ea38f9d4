import { ApiProperty } from '@nestjs/swagger';

export class PaymentAnomalyResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['payment_anomaly'] })
  object!: 'payment_anomaly';

  @ApiProperty({
    enum: ['amount_mismatch', 'currency_mismatch', 'merchant_reference_mismatch', 'gateway_payment_id_mismatch'],
    description: 'The first field that did not match; `expected` and `received` show every compared field.',
  })
  kind!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The invoice payment the event named.' })
  invoicePaymentId!: string | null;

  @ApiProperty({ description: 'Payment id at the payment service, as the event gave it.' })
  gatewayPaymentId!: string;

  @ApiProperty({
    example: 'payment.succeeded',
    description: 'The event type, or `reconciliation.<status>` for a lookup.',
  })
  eventType!: string;

  @ApiProperty({
    example: { amount: 2900, currency: 'USD', merchantReference: '<invoice id>', gatewayPaymentId: null },
  })
  expected!: Record<string, unknown>;

  @ApiProperty({
    example: { amount: 1, currency: 'EUR', merchantReference: '<invoice id>', gatewayPaymentId: '<uuid>' },
  })
  received!: Record<string, unknown>;

  @ApiProperty({
    enum: ['webhook_event', 'reconciliation'],
    description: 'What reported it; `causeId` is the webhook-id or the gateway payment id.',
  })
  causeType!: string;

  @ApiProperty({ type: String, nullable: true })
  causeId!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class PaymentAnomalyListResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [PaymentAnomalyResponse] })
  data!: PaymentAnomalyResponse[];

  @ApiProperty()
  hasMore!: boolean;

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
