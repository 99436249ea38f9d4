import { firstPeriod, sameCycle } from './billing-period';
import {
  classifyPlanChange,
  PlanChangeDirection,
  PricedPlan,
  prorate,
  ProrationLine,
  shareOfPeriod,
} from './proration';

export interface CurrentPeriod {
  readonly periodStart: Date;
  readonly periodEnd: Date;
}

/** When a plan change takes effect: at once (billed now, applied when paid) or at the end of the current period. */
export type PlanChangeTiming = 'now' | 'period_end';
export const PLAN_CHANGE_TIMINGS: readonly PlanChangeTiming[] = ['now', 'period_end'];

/**
 * Why it takes effect then: `default` (no `effective` asked for: upgrades now, downgrades at period end),
 * `requested` (the caller's `effective`), or `credit_exceeds_charge` (asked for now, but the unused part of the
 * old plan is worth more than the new plan charges: without a customer balance the surplus could not be
 * honoured, so the change is scheduled for the period end instead, where nothing is credited).
 */
export type PlanChangeTimingReason = 'default' | 'requested' | 'credit_exceeds_charge';

/** A change billed now: `total` is invoiced (or, when ≤ 0, nothing is and the plan switches at once), applied when paid. */
export interface ImmediateQuote {
  readonly effective: 'now';
  readonly direction: PlanChangeDirection;
  readonly reason: PlanChangeTimingReason;
  /** True when the interval changes: the paid invoice starts a new period [periodStart, periodEnd). */
  readonly resetsPeriod: boolean;
  readonly credit: number;
  readonly charge: number;
  readonly total: number;
  readonly lines: readonly ProrationLine[];
  /** The period the charge covers. */
  readonly periodStart: Date;
  readonly periodEnd: Date;
}

/** A change scheduled for `appliesAt` (the current period end): nothing billed now, the renewal invoice bills the new plan. */
export interface ScheduledQuote {
  readonly effective: 'period_end';
  readonly direction: PlanChangeDirection;
  readonly reason: PlanChangeTimingReason;
  readonly appliesAt: Date;
}

export type PlanChangeQuote = ImmediateQuote | ScheduledQuote;

/** Lago's rule (and this project's since the start): upgrades apply now, downgrades at the period end. */
export function defaultTiming(direction: PlanChangeDirection): PlanChangeTiming {
  return direction === 'upgrade' ? 'now' : 'period_end';
}

/**
 * The single rule for a plan change at `at` (used by both the preview and the change itself), with the timing
 * the caller asked for (`requested`, else defaultTiming):
 * - `period_end`: scheduled for the period end, nothing billed now; the renewal invoice bills the new plan
 *   (upgrade or downgrade alike);
 * - `now`: priced by immediateCharge (same interval: prorated to the second; another interval: a full new
 *   period from `at` minus the unused old plan). When the credit exceeds the charge — a cheaper plan on the same
 *   interval, or e.g. pro-yearly → pro-monthly for most of the year — Stripe would keep the surplus as a customer
 *   balance; this project has none, so the change is scheduled for the period end instead (reason
 *   `credit_exceeds_charge`). A change whose credit equals its charge (same price, same interval) applies at once.
 */
export function quotePlanChange(
  from: PricedPlan,
  to: PricedPlan,
  period: CurrentPeriod,
  at: Date,
  requested?: PlanChangeTiming,
): PlanChangeQuote {
  const direction = classifyPlanChange(from, to);
  const reason: PlanChangeTimingReason = requested === undefined ? 'default' : 'requested';
  const scheduled = (why: PlanChangeTimingReason): ScheduledQuote => ({
    effective: 'period_end',
    direction,
    reason: why,
    appliesAt: period.periodEnd,
  });
  if ((requested ?? defaultTiming(direction)) === 'period_end') return scheduled(reason);
  const charge = immediateCharge(from, to, period, at);
  if (charge.credit > charge.charge) return scheduled('credit_exceeds_charge');
  return { effective: 'now', direction, reason, ...charge };
}

/**
 * What switching at `at` costs, in minor units:
 * - same interval: prorated to the second over the rest of the current period (charge − credit, see `prorate`);
 * - another interval: credit the unused part of the old plan (same rounding as `prorate`) and charge the new
 *   plan's full price for a new period that starts at `at`.
 */
export function immediateCharge(
  from: PricedPlan,
  to: PricedPlan,
  period: CurrentPeriod,
  at: Date,
): Omit<ImmediateQuote, 'effective' | 'direction' | 'reason'> {
  if (sameCycle(from, to)) {
    const proration = prorate({ from, to, ...period, at });
    return {
      resetsPeriod: false,
      credit: proration.credit,
      charge: proration.charge,
      total: proration.total,
      lines: proration.lines,
      periodStart: new Date(period.periodEnd.getTime() - proration.remainingSeconds * 1000),
      periodEnd: period.periodEnd,
    };
  }
  const unused = shareOfPeriod(from.amount, period, at);
  const newPeriod = firstPeriod(at, to);
  return {
    resetsPeriod: true,
    credit: unused.amount,
    charge: to.amount,
    total: to.amount - unused.amount,
    lines: [
      {
        type: 'credit',
        description: `Unused time on ${from.name}`,
        planId: from.id,
        amount: -unused.amount,
        periodStart: unused.from.toISOString(),
        periodEnd: period.periodEnd.toISOString(),
      },
      {
        type: 'charge',
        description: `${to.name} from now`,
        planId: to.id,
        amount: to.amount,
        periodStart: newPeriod.start.toISOString(),
        periodEnd: newPeriod.end.toISOString(),
      },
    ],
    periodStart: newPeriod.start,
    periodEnd: newPeriod.end,
  };
}
