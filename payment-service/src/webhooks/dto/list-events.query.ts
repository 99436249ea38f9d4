import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PaginationQuery } from '../../platform/http/pagination';

export class ListEventsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: ['payment.succeeded', 'payment.failed'] })
  @IsOptional()
  @IsIn(['payment.succeeded', 'payment.failed'])
  type?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  paymentId?: string;
}
