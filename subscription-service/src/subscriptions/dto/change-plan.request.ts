import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { PAYMENT_METHOD, PAYMENT_METHOD_MESSAGE } from '../../invoices/dto/invoice.dto';
import { SEED_IDS } from '../../seed-ids';
import { PLAN_CHANGE_TIMINGS, PlanChangeTiming } from '../domain/plan-change';
import { EFFECTIVE_DESCRIPTION } from './plan-change-descriptions';

export class ChangePlanRequest {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.businessMonthly })
  @IsUUID()
  planId!: string;

  @ApiPropertyOptional({
    example: 'pm_card_visa',
    description: "Pays the proration invoice; defaults to the subscription's method.",
  })
  @IsOptional()
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod?: string;

  @ApiPropertyOptional({ enum: PLAN_CHANGE_TIMINGS, description: EFFECTIVE_DESCRIPTION })
  @IsOptional()
  @IsIn(PLAN_CHANGE_TIMINGS)
  effective?: PlanChangeTiming;
}
