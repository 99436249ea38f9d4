import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PaginationQuery } from '../../platform/http/pagination';
import { EVENT_TYPES } from '../domain/event-types';

export class ListEventsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  type?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Events about this payment, including its refunds' events." })
  @IsOptional()
  @IsUUID()
  paymentId?: string;
}
