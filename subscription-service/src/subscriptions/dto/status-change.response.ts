import { ApiProperty } from '@nestjs/swagger';
import { SUBSCRIPTION_STATUSES, SubscriptionStatus } from '../domain/subscription-status';

export class StatusChangeResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['subscription_status_change'] })
  object!: 'subscription_status_change';

  @ApiProperty({ enum: SUBSCRIPTION_STATUSES, nullable: true, example: 'incomplete' })
  fromStatus!: SubscriptionStatus | null;

  @ApiProperty({ enum: SUBSCRIPTION_STATUSES, example: 'active' })
  toStatus!: SubscriptionStatus;

  @ApiProperty({ example: 'initial_payment_succeeded' })
  reason!: string;

  @ApiProperty({ enum: ['request', 'webhook_event', 'system', 'reconciliation'], example: 'webhook_event' })
  causeType!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Request id or webhook event id that caused the change.' })
  causeId!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
