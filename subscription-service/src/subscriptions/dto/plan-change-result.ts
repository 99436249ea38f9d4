import { ApiProperty } from '@nestjs/swagger';
import { SEED_IDS } from '../../seed-ids';
import { PLAN_CHANGE_TIMINGS, PlanChangeTiming, PlanChangeTimingReason } from '../domain/plan-change';
import { REASON_DESCRIPTION } from './plan-change-descriptions';

/** When a plan change takes effect and why (change-plan response and preview). */
export class PlanChangeResult {
  @ApiProperty({ enum: ['upgrade', 'downgrade'], example: 'upgrade', description: 'By price per unit of time.' })
  direction!: 'upgrade' | 'downgrade';

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.starterMonthly })
  fromPlanId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly })
  toPlanId!: string;

  @ApiProperty({
    enum: PLAN_CHANGE_TIMINGS,
    example: 'period_end',
    description:
      '`now`: billed now, applied when paid. `period_end`: scheduled (`scheduledPlanId`), nothing billed now.',
  })
  effective!: PlanChangeTiming;

  @ApiProperty({
    format: 'date-time',
    description:
      "`now`: the change's billing time (it applies once its invoice is paid). `period_end`: the current period end.",
  })
  effectiveAt!: string;

  @ApiProperty({
    enum: ['default', 'requested', 'credit_exceeds_charge'],
    example: 'credit_exceeds_charge',
    description: REASON_DESCRIPTION,
  })
  reason!: PlanChangeTimingReason;
}
