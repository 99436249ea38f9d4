import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { InvoiceLineResponse, InvoiceResponse, PAYMENT_METHOD, PAYMENT_METHOD_MESSAGE } from '../../invoices/dto/invoice.dto';
import { PlanResponse } from '../../plans/dto/plan.dto';
import { PaginationQuery } from '../../platform/http/pagination';
import { SEED_IDS } from '../../seed-ids';
import { PLAN_CHANGE_TIMINGS, PlanChangeTiming, PlanChangeTimingReason } from '../domain/plan-change';
import { SUBSCRIPTION_STATUSES, SubscriptionStatus } from '../domain/subscription-status';

const EFFECTIVE_DESCRIPTION =
  'When the change takes effect. `now` (the default for an upgrade): billed now — prorated to the second, or a full new period ' +
  'when the interval changes — and applied when paid. `period_end` (the default for a downgrade): nothing billed now; the renewal ' +
  'invoice bills the new plan. A change asked for `now` whose unused credit would exceed its charge (a cheaper plan on the same ' +
  'interval, or e.g. pro-yearly → pro-monthly for most of the year) is scheduled for the period end instead: there is no customer ' +
  'balance to keep the surplus in. The response\'s `effective` and `reason` say what was done.';

export class CreateSubscriptionRequest {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly })
  @IsUUID()
  planId!: string;

  @ApiProperty({
    example: 'pm_card_visa',
    description: 'Payment service test methods: pm_card_visa (succeeds), pm_card_declined, pm_card_insufficient_funds, …',
  })
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: SEED_IDS.users.alice,
    description: 'Required with an admin key (whom to subscribe); with a user key it may only name the caller.',
  })
  @IsOptional()
  @IsUUID()
  userId?: string;
}

export class ChangePlanRequest {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.businessMonthly })
  @IsUUID()
  planId!: string;

  @ApiPropertyOptional({ example: 'pm_card_visa', description: 'Pays the proration invoice; defaults to the subscription\'s method.' })
  @IsOptional()
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod?: string;

  @ApiPropertyOptional({ enum: PLAN_CHANGE_TIMINGS, description: EFFECTIVE_DESCRIPTION })
  @IsOptional()
  @IsIn(PLAN_CHANGE_TIMINGS)
  effective?: PlanChangeTiming;
}

export class PreviewPlanChangeQuery {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly, description: 'The plan to switch to.' })
  @IsUUID()
  planId!: string;

  @ApiPropertyOptional({ enum: PLAN_CHANGE_TIMINGS, description: `As in the change itself. ${EFFECTIVE_DESCRIPTION}` })
  @IsOptional()
  @IsIn(PLAN_CHANGE_TIMINGS)
  effective?: PlanChangeTiming;
}

const REASON_DESCRIPTION =
  'Why it takes effect then: `default` (upgrades now, downgrades at the period end), `requested` (the `effective` asked for), ' +
  '`credit_exceeds_charge` (asked for now, but the unused part of the current plan is worth more than the change would charge; ' +
  'without a customer balance it is scheduled for the period end instead).';

/** When a plan change takes effect and why (change-plan response and preview). */
export class PlanChangeResult {
  @ApiProperty({ enum: ['upgrade', 'downgrade'], example: 'upgrade', description: 'By price per unit of time.' })
  direction!: 'upgrade' | 'downgrade';

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.starterMonthly })
  fromPlanId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly })
  toPlanId!: string;

  @ApiProperty({ enum: PLAN_CHANGE_TIMINGS, example: 'period_end', description: '`now`: billed now, applied when paid. `period_end`: scheduled (`scheduledPlanId`), nothing billed now.' })
  effective!: PlanChangeTiming;

  @ApiProperty({ format: 'date-time', description: '`now`: the change\'s billing time (it applies once its invoice is paid). `period_end`: the current period end.' })
  effectiveAt!: string;

  @ApiProperty({ enum: ['default', 'requested', 'credit_exceeds_charge'], example: 'credit_exceeds_charge', description: REASON_DESCRIPTION })
  reason!: PlanChangeTimingReason;
}

export class PayInvoiceRequest {
  @ApiProperty({ example: 'pm_card_visa', description: 'The method to charge now; it also becomes the subscription\'s payment method.' })
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod!: string;
}

/** `PATCH /v1/subscriptions/{id}`: the fields a customer may change directly (only the payment method for now). */
export class UpdateSubscriptionRequest {
  @ApiProperty({
    example: 'pm_card_visa',
    description:
      'The default payment method for future charges (renewals and dunning retries); an attempt already in flight keeps its method. ' +
      'Same format as when subscribing.',
  })
  @IsString()
  @Matches(PAYMENT_METHOD, { message: PAYMENT_METHOD_MESSAGE })
  paymentMethod!: string;
}

export class AdvanceTestClockRequest {
  @ApiPropertyOptional({ example: 2_678_400, minimum: 1, maximum: 315_360_000, description: 'Move forward by this many seconds (31 days here). Give this or `to`.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(315_360_000)
  seconds?: number;

  @ApiPropertyOptional({ format: 'date-time', example: '2030-01-01T00:00:00.000Z', description: 'Move forward to this instant (must be after the subscription\'s billing time). Give this or `seconds`.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class CancelSubscriptionRequest {
  @ApiPropertyOptional({
    default: true,
    description: 'true: keep access until the period ends, then stop (status stays active meanwhile); false: cancel now.',
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

export class ListSubscriptionsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: SUBSCRIPTION_STATUSES })
  @IsOptional()
  @IsIn(SUBSCRIPTION_STATUSES)
  status?: SubscriptionStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Admin only: one user\'s subscriptions.' })
  @IsOptional()
  @IsUUID()
  userId?: string;
}

export class SubscriptionResponse {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.bobSubscription })
  id!: string;

  @ApiProperty({ enum: ['subscription'] })
  object!: 'subscription';

  @ApiProperty({ format: 'uuid', example: SEED_IDS.users.bob })
  userId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.starterMonthly })
  planId!: string;

  @ApiProperty({ type: PlanResponse })
  plan!: PlanResponse;

  @ApiProperty({ enum: SUBSCRIPTION_STATUSES, example: 'active', description: 'Billing status.' })
  status!: SubscriptionStatus;

  @ApiProperty({ description: 'Whether the customer may use the product now (kept apart from billing status).', example: true })
  hasAccess!: boolean;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Access lasts until then: the end of the paid period (also when set to cancel at period end); while a renewal is ' +
      'being collected (active with `renewalInvoiceId`, or past_due) the period end plus the dunning window (the last retry). Null without access.',
  })
  entitledUntil!: string | null;

  @ApiProperty({ example: 'pm_card_visa' })
  paymentMethod!: string;

  @ApiProperty({ format: 'date-time' })
  currentPeriodStart!: string;

  @ApiProperty({ format: 'date-time' })
  currentPeriodEnd!: string;

  @ApiProperty({
    format: 'date-time',
    example: '2027-01-31T09:30:00.000Z',
    description:
      'Billing cycle anchor (as Stripe\'s `billing_cycle_anchor`): period n ends on the anchor moved by n intervals, on the anchor\'s ' +
      'day of month clamped to the month\'s length and at its time of day (anchor Jan 31: Feb 28, Mar 31, Apr 30, …). The subscribe ' +
      'time; reset to the new period\'s start when a plan change or a scheduled downgrade moves to another interval.',
  })
  billingCycleAnchor!: string;

  @ApiProperty({ description: 'Cancels when the period ends; still active (and with access) until then.', example: false })
  cancelAtPeriodEnd!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  canceledAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  endedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  cancellationReason!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Upgrade waiting for its proration invoice to be paid.' })
  pendingPlanId!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  pendingInvoiceId!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Downgrade applied at the end of the period.' })
  scheduledPlanId!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'An unpaid incomplete subscription expires then.' })
  incompleteExpiresAt!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Renewal invoice being collected (first attempt or dunning); the period advances when it is paid.' })
  renewalInvoiceId!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'past_due: when the next dunning retry is due (null while one is in flight).' })
  nextPaymentRetryAt!: string | null;

  @ApiProperty({ example: 0, description: 'Test clock: seconds this subscription\'s billing time runs ahead of the real clock (always 0 in production).' })
  testClockOffsetSeconds!: number;

  @ApiProperty({ type: InvoiceResponse, nullable: true, description: 'The most recent invoice.' })
  latestInvoice!: InvoiceResponse | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** `POST /v1/subscriptions/{id}/change-plan`: the subscription after the change, and what was done. */
export class ChangePlanResponse extends SubscriptionResponse {
  @ApiProperty({ type: PlanChangeResult, description: 'When the change takes effect and why (the same as the preview answers).' })
  planChange!: PlanChangeResult;
}

export class SubscriptionListResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [SubscriptionResponse] })
  data!: SubscriptionResponse[];

  @ApiProperty()
  hasMore!: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  nextCursor!: string | null;
}

export class StatusChangeResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['subscription_status_change'] })
  object!: 'subscription_status_change';

  @ApiProperty({ enum: SUBSCRIPTION_STATUSES, nullable: true, example: 'incomplete' })
  fromStatus!: SubscriptionStatus | null;

  @ApiProperty({ enum: SUBSCRIPTION_STATUSES, example: 'active' })
  toStatus!: SubscriptionStatus;

  @ApiProperty({ example: 'initial_payment_succeeded' })
  reason!: string;

  @ApiProperty({ enum: ['request', 'webhook_event', 'system', 'reconciliation'], example: 'webhook_event' })
  causeType!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Request id or webhook event id that caused the change.' })
  causeId!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class StatusHistoryResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [StatusChangeResponse], description: 'The whole history, oldest first.' })
  data!: StatusChangeResponse[];

  @ApiProperty({ example: false })
  hasMore!: false;

  @ApiProperty({ type: String, nullable: true, example: null })
  nextCursor!: null;
}

export class PlanChangePreviewResponse {
  @ApiProperty({ enum: ['plan_change_preview'] })
  object!: 'plan_change_preview';

  @ApiProperty({ format: 'uuid', example: SEED_IDS.bobSubscription })
  subscriptionId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.starterMonthly })
  fromPlanId!: string;

  @ApiProperty({ format: 'uuid', example: SEED_IDS.plans.proMonthly })
  toPlanId!: string;

  @ApiProperty({ enum: ['upgrade', 'downgrade'], example: 'upgrade', description: 'By price per unit of time; `effective` says when it applies.' })
  direction!: 'upgrade' | 'downgrade';

  @ApiProperty({ enum: PLAN_CHANGE_TIMINGS, example: 'now', description: '`now`: invoiced now (lines, total), applied when paid. `period_end`: scheduled for the period end, nothing charged now.' })
  effective!: PlanChangeTiming;

  @ApiProperty({ format: 'date-time', description: 'When it takes effect: now, or the current period end (= `appliesAt`).' })
  effectiveAt!: string;

  @ApiProperty({ enum: ['default', 'requested', 'credit_exceeds_charge'], example: 'default', description: REASON_DESCRIPTION })
  reason!: PlanChangeTimingReason;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({
    type: [InvoiceLineResponse],
    description: 'The invoice lines changePlan would bill now: a negative credit for the unused old plan and a charge for the new one (empty when scheduled for the period end).',
  })
  lines!: InvoiceLineResponse[];

  @ApiProperty({ example: 667, description: 'Sum of the lines, minor units (0 when scheduled for the period end).' })
  total!: number;

  @ApiProperty({ format: 'date-time', description: 'The same as `effectiveAt` (kept for existing clients): now (applies once paid), or the current period end.' })
  appliesAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Start of the period the new plan\'s charge covers.' })
  periodStart!: string;

  @ApiProperty({ format: 'date-time', description: 'End of that period.' })
  periodEnd!: string;

  @ApiProperty({ example: false, description: 'True for a change now to another interval: the paid invoice starts a new period now … now + the new interval.' })
  resetsPeriod!: boolean;
}
