import { ApiProperty } from '@nestjs/swagger';
import { InvoiceLineResponse } from '../../invoices/dto/invoice.dto';
import { SEED_IDS } from '../../seed-ids';
import { PLAN_CHANGE_TIMINGS, PlanChangeTiming, PlanChangeTimingReason } from '../domain/plan-change';
import { REASON_DESCRIPTION } from './plan-change-descriptions';

export class PlanChangePreviewResponse {
  @ApiProperty({ enum: ['plan_change_preview'] })
  object!: 'plan_change_preview';

  @ApiProperty({ format: 'uuid', example: SEED_IDS.bobSubscription })
  subscriptionId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.starterMonthly })
  fromPlanId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly })
  toPlanId!: string;

  @ApiProperty({
    enum: ['upgrade', 'downgrade'],
    example: 'upgrade',
    description: 'By price per unit of time; `effective` says when it applies.',
  })
  direction!: 'upgrade' | 'downgrade';

  @ApiProperty({
    enum: PLAN_CHANGE_TIMINGS,
    example: 'now',
    description:
      '`now`: invoiced now (lines, total), applied when paid. `period_end`: scheduled for the period end, nothing charged now.',
  })
  effective!: PlanChangeTiming;

  @ApiProperty({
    format: 'date-time',
    description: 'When it takes effect: now, or the current period end (= `appliesAt`).',
  })
  effectiveAt!: string;

  @ApiProperty({
    enum: ['default', 'requested', 'credit_exceeds_charge'],
    example: 'default',
    description: REASON_DESCRIPTION,
  })
  reason!: PlanChangeTimingReason;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({
    type: [InvoiceLineResponse],
    description:
      'The invoice lines changePlan would bill now: a negative credit for the unused old plan and a charge for the new one (empty when scheduled for the period end).',
  })
  lines!: InvoiceLineResponse[];

  @ApiProperty({ example: 667, description: 'Sum of the lines, minor units (0 when scheduled for the period end).' })
  total!: number;

  @ApiProperty({
    format: 'date-time',
    description:
      'The same as `effectiveAt` (kept for existing clients): now (applies once paid), or the current period end.',
  })
  appliesAt!: string;

  @ApiProperty({ format: 'date-time', description: "Start of the period the new plan's charge covers." })
  periodStart!: string;

  @ApiProperty({ format: 'date-time', description: 'End of that period.' })
  periodEnd!: string;

  @ApiProperty({
    example: false,
    description:
      'True for a change now to another interval: the paid invoice starts a new period now … now + the new interval.',
  })
  resetsPeriod!: boolean;
}
