import { ApiProperty } from '@nestjs/swagger';
import { InvoiceResponse } from '../../invoices/dto/invoice.dto';
import { PlanResponse } from '../../plans/dto/plan.dto';
import { SEED_IDS } from '../../seed-ids';
import { SUBSCRIPTION_STATUSES, SubscriptionStatus } from '../domain/subscription-status';

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

  @ApiProperty({
    description: 'Whether the customer may use the product now (kept apart from billing status).',
    example: true,
  })
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
      "Billing cycle anchor (as Stripe's `billing_cycle_anchor`): period n ends on the anchor moved by n intervals, on the anchor's " +
      "day of month clamped to the month's length and at its time of day (anchor Jan 31: Feb 28, Mar 31, Apr 30, …). The subscribe " +
      "time; reset to the new period's start when a plan change or a scheduled downgrade moves to another interval.",
  })
  billingCycleAnchor!: string;

  @ApiProperty({
    description: 'Cancels when the period ends; still active (and with access) until then.',
    example: false,
  })
  cancelAtPeriodEnd!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  canceledAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  endedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  cancellationReason!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Upgrade waiting for its proration invoice to be paid.',
  })
  pendingPlanId!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  pendingInvoiceId!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Downgrade applied at the end of the period.',
  })
  scheduledPlanId!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'An unpaid incomplete subscription expires then.',
  })
  incompleteExpiresAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Renewal invoice being collected (first attempt or dunning); the period advances when it is paid.',
  })
  renewalInvoiceId!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'past_due: when the next dunning retry is due (null while one is in flight).',
  })
  nextPaymentRetryAt!: string | null;

  @ApiProperty({
    example: 0,
    description:
      "Test clock: seconds this subscription's billing time runs ahead of the real clock (always 0 in production).",
  })
  testClockOffsetSeconds!: number;

  @ApiProperty({ type: InvoiceResponse, nullable: true, description: 'The most recent invoice.' })
  latestInvoice!: InvoiceResponse | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
