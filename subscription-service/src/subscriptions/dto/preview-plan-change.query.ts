import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { SEED_IDS } from '../../seed-ids';
import { PLAN_CHANGE_TIMINGS, PlanChangeTiming } from '../domain/plan-change';
import { EFFECTIVE_DESCRIPTION } from './plan-change-descriptions';

export class PreviewPlanChangeQuery {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly, description: 'The plan to switch to.' })
  @IsUUID()
  planId!: string;

  @ApiPropertyOptional({ enum: PLAN_CHANGE_TIMINGS, description: `As in the change itself. ${EFFECTIVE_DESCRIPTION}` })
  @IsOptional()
  @IsIn(PLAN_CHANGE_TIMINGS)
  effective?: PlanChangeTiming;
}
