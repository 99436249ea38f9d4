import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, Length } from 'class-validator';
import { PaymentStatus } from '../../generated/prisma/enums';
import { PaginationQuery } from '../../platform/http/pagination';

export class ListPaymentsQuery extends PaginationQuery {
  @ApiPropertyOptional({ example: '7d1b0a7e-0c7c-4d5c-9d8e-2b1f4a6c9e01' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  merchantReference?: string;

  @ApiPropertyOptional({ example: '3f9c2a10-5b8e-4c1d-8a7f-6e2d9b0c4a11' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  customerReference?: string;

  @ApiPropertyOptional({ enum: PaymentStatus })
  @IsOptional()
  @IsEnum(PaymentStatus)
  status?: PaymentStatus;
}
