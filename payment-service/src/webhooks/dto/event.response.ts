import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { WebhookDeliveryStatus } from '../../generated/prisma/enums';
import { EVENT_TYPES } from '../domain/event-types';

/**
 * An event's `data`: `{ object }`, the resource the event is about. Its schemas are declared by the features
 * whose resources they show (payments: PaymentEventData, refunds: RefundEventData; each registered by its
 * controller), and referred to here by name, so webhooks does not import payments or refunds.
 */
export interface EventData {
  readonly object: { readonly object: string };
}

const EVENT_DATA = {
  oneOf: [{ $ref: getSchemaPath('PaymentEventData') }, { $ref: getSchemaPath('RefundEventData') }],
  description: 'A Payment for payment.* events, a Refund for refund.* events.',
};

/**
 * The body POSTed to the webhook endpoint (the same bytes on every retry), signed per Standard Webhooks.
 */
export class PaymentEventPayload {
  @ApiProperty({ format: 'uuid', description: 'Also sent as the webhook-id header; deduplicate on it.' }) id!: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'payment.succeeded' }) type!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    example: 1,
    description:
      "Per-payment, increasing, shared by the payment's events and its refunds' events: never apply an older event over a newer one.",
  })
  sequence!: number;
  @ApiProperty(EVENT_DATA) data!: EventData;
}

export class EventResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['event'] }) object!: 'event';
  @ApiProperty({ enum: EVENT_TYPES, example: 'payment.succeeded' }) type!: string;
  @ApiProperty({
    format: 'uuid',
    description: 'The payment the event is about (for a refund event: the refunded payment).',
  })
  paymentId!: string;
  @ApiProperty({ example: 1 }) sequence!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ ...EVENT_DATA, description: `The \`data\` of the delivered payload. ${EVENT_DATA.description}` })
  data!: EventData;
}

export class DeliveryAttemptResponse {
  @ApiProperty({ example: 1 }) attemptNumber!: number;
  @ApiProperty({ type: Number, nullable: true, example: 200 }) statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: null }) error!: string | null;
  @ApiProperty({ example: 12 }) durationMs!: number;
  @ApiProperty({ type: String, nullable: true, example: '{"received":true,"duplicate":false}' }) responseSnippet!:
    string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) finishedAt!: string;
}

export class DeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ example: 'http://localhost:3000/v1/webhooks/payments' }) url!: string;
  @ApiProperty({
    enum: WebhookDeliveryStatus,
    description: 'failed = retries exhausted (dead letter); redeliver to retry.',
  })
  status!: WebhookDeliveryStatus;
  @ApiProperty({ example: 1 }) attemptCount!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 200 }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: null }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt!: string | null;
  @ApiProperty({ type: [DeliveryAttemptResponse] }) attempts!: DeliveryAttemptResponse[];
}

export class EventDetailResponse extends EventResponse {
  @ApiProperty({ type: [DeliveryResponse] }) deliveries!: DeliveryResponse[];
}

export class EventListResponse {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [EventResponse] }) data!: EventResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) nextCursor!: string | null;
}
