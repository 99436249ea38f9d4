import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

export class CancelSubscriptionRequest {
  @ApiPropertyOptional({
    default: true,
    description:
      'true: keep access until the period ends, then stop (status stays active meanwhile); false: cancel now.',
  })
  @IsOptional()
  @IsBoolean()
  atPeriodEnd?: boolean;

  @ApiPropertyOptional({ example: 'too_expensive', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
