import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsRfc3339DateTime } from '../../platform/http/rfc3339';

export class AdvanceTestClockRequest {
  @ApiPropertyOptional({
    example: 2_678_400,
    minimum: 1,
    maximum: 315_360_000,
    description: 'Move forward by this many seconds (31 days here). Give this or `to`.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(315_360_000)
  seconds?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2030-01-01T00:00:00.000Z',
    description:
      "Move forward to this instant, an RFC 3339 date-time (must be after the subscription's billing time). Give this or `seconds`.",
  })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;
}
