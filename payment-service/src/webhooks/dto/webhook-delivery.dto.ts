import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsOptional } from 'class-validator';
import { WebhookDeliveryStatus } from '../../generated/prisma/enums';
import { PaginationQuery } from '../../platform/http/pagination';
import { IsRfc3339DateTime } from '../../platform/http/rfc3339';
import { EVENT_TYPES } from '../domain/event-types';

const SINCE_EXAMPLE = '2026-11-27T00:00:00.000Z';

export class ListWebhookDeliveriesQuery extends PaginationQuery {
  @ApiPropertyOptional({
    enum: WebhookDeliveryStatus,
    example: 'failed',
    description: '`failed` = dead letters (retries exhausted).',
  })
  @IsOptional()
  @IsEnum(WebhookDeliveryStatus)
  status?: WebhookDeliveryStatus;

  @ApiPropertyOptional({
    format: 'date-time',
    example: SINCE_EXAMPLE,
    description: 'Only deliveries whose state changed (`updatedAt`) at or after this instant (an RFC 3339 date-time).',
  })
  @IsOptional()
  @IsRfc3339DateTime()
  since?: string;
}

export class RedeliverWebhookDeliveriesDto {
  @ApiProperty({ enum: ['failed'], example: 'failed', description: 'Only dead letters can be redelivered in bulk.' })
  @IsIn(['failed'])
  status!: 'failed';

  @ApiProperty({
    format: 'date-time',
    example: SINCE_EXAMPLE,
    description:
      'Redeliver deliveries that failed (were last updated) at or after this instant (an RFC 3339 date-time).',
  })
  @IsRfc3339DateTime()
  since!: string;
}

export class RedeliverWebhookDeliveriesResponse {
  @ApiProperty({ example: 3, description: 'How many deliveries were scheduled again (now, retry schedule restarted).' })
  redelivered!: number;
}

export class WebhookDeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['webhook_delivery'] }) object!: 'webhook_delivery';
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'payment.succeeded' }) eventType!: string;
  @ApiProperty({ format: 'uuid' }) paymentId!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ example: 'http://localhost:3000/v1/webhooks/payments' }) url!: string;
  @ApiProperty({
    enum: WebhookDeliveryStatus,
    example: 'failed',
    description: 'failed = retries exhausted (dead letter).',
  })
  status!: WebhookDeliveryStatus;
  @ApiProperty({ example: 8 }) attemptCount!: number;
  @ApiProperty({ type: Number, nullable: true, example: 500 }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'receiver answered 500' }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WebhookDeliveryListResponse {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [WebhookDeliveryResponse] }) data!: WebhookDeliveryResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) nextCursor!: string | null;
}
