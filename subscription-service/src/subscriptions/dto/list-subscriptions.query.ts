import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PaginationQuery } from '../../platform/http/pagination';
import { SUBSCRIPTION_STATUSES, SubscriptionStatus } from '../domain/subscription-status';

export class ListSubscriptionsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: SUBSCRIPTION_STATUSES })
  @IsOptional()
  @IsIn(SUBSCRIPTION_STATUSES)
  status?: SubscriptionStatus;

  @ApiPropertyOptional({ format: 'uuid', description: "Admin only: one user's subscriptions." })
  @IsOptional()
  @IsUUID()
  userId?: string;
}
