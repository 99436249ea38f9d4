import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_AMOUNT } from '../../money/domain/money';
import { IsCurrencyCode } from '../../platform/http/is-currency-code';
import { PaginationQuery } from '../../platform/http/pagination';
import { SEED_IDS } from '../../seed-ids';

export class CreatePlanRequest {
  @ApiProperty({ example: 'team-monthly', description: 'Unique, lower-case letters, digits and dashes.' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'code must be 2-63 lower-case letters, digits or dashes' })
  code!: string;

  @ApiProperty({ example: 'Team' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'For small teams' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({
    example: 4900,
    minimum: 1,
    maximum: MAX_AMOUNT,
    description:
      'Price per billing cycle in minor units of the currency (cents for USD, yen for JPY). Immutable. ' +
      "At most 99999999, the payment service's limit.",
  })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  amount!: number;

  @ApiProperty({
    example: 'USD',
    pattern: '^[A-Z]{3}$',
    description: 'ISO-4217 currency code, upper case (e.g. USD, EUR, JPY).',
  })
  @IsCurrencyCode()
  currency!: string;

  @ApiProperty({ enum: ['month', 'year'], example: 'month' })
  @IsIn(['month', 'year'])
  interval!: 'month' | 'year';

  @ApiPropertyOptional({ example: 1, default: 1, minimum: 1, maximum: 12 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(12)
  intervalCount?: number;
}

export class UpdatePlanRequest {
  @ApiPropertyOptional({ example: 'Pro (2026)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    example: 'Everything in Starter, plus more',
    nullable: true,
    description: 'null removes the description.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}

export class ListPlansQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Only active (true) or archived (false) plans.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export class PlanResponse {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly })
  id!: string;

  @ApiProperty({ enum: ['plan'] })
  object!: 'plan';

  @ApiProperty({ example: 'pro-monthly' })
  code!: string;

  @ApiProperty({ example: 'Pro' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, example: 'For growing teams' })
  description!: string | null;

  @ApiProperty({ example: 2900 })
  amount!: number;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({ enum: ['month', 'year'], example: 'month' })
  interval!: 'month' | 'year';

  @ApiProperty({ example: 1 })
  intervalCount!: number;

  @ApiProperty({ description: 'Archived plans (false) cannot be subscribed to.', example: true })
  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class PlanListResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [PlanResponse] })
  data!: PlanResponse[];

  @ApiProperty()
  hasMore!: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  nextCursor!: string | null;
}
