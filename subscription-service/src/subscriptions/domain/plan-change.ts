import { firstPeriod, sameCycle } from './billing-period';
import { classifyPlanChange, PricedPlan, prorate, ProrationLine, shareOfPeriod } from './proration';

export interface CurrentPeriod {
  readonly periodStart: Date;
  readonly periodEnd: Date;
}

/** An upgrade: billed now, applied when paid. */
export interface UpgradeQuote {
  readonly direction: 'upgrade';
  /**
   * True when the interval changes: the paid invoice starts a new period [periodStart, periodEnd) and
   * periodStart becomes the subscription's billing cycle anchor.
   */
  readonly resetsPeriod: boolean;
  readonly credit: number;
  readonly charge: number;
  readonly total: number;
  readonly lines: readonly ProrationLine[];
  /** The period the charge covers. */
  readonly periodStart: Date;
  readonly periodEnd: Date;
}

/** A downgrade (same or lower price per unit of time): nothing billed now, applied at `appliesAt`. */
export interface DowngradeQuote {
  readonly direction: 'downgrade';
  readonly appliesAt: Date;
}

export type PlanChangeQuote = UpgradeQuote | DowngradeQuote;

export class CreditExceedsChargeError extends Error {}

/**
 * The single pricing rule for a plan change at `at` (used by both the preview and the change itself):
 * - downgrade: scheduled for the period end, no charge;
 * - upgrade, same interval: prorated to the second over the rest of the current period
 *   (charge − credit, see `prorate`);
 * - upgrade to another interval: credit the unused part of the old plan (same rounding as `prorate`)
 *   and charge the new plan's full price for a new period that starts at `at` and is anchored there
 *   (firstPeriod). A credit larger than that price cannot be honoured without a customer balance:
 *   CreditExceedsChargeError.
 * The current period is taken as stored (`period`), whatever its length: an anchored period may be
 * longer or shorter than "start + one interval" (Feb 28 → Mar 31 on a Jan 31 anchor).
 */
export function quotePlanChange(from: PricedPlan, to: PricedPlan, period: CurrentPeriod, at: Date): PlanChangeQuote {
  if (classifyPlanChange(from, to) === 'downgrade') return { direction: 'downgrade', appliesAt: period.periodEnd };
  if (sameCycle(from, to)) {
    const proration = prorate({ from, to, ...period, at });
    return {
      direction: 'upgrade',
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
  if (unused.amount > to.amount) {
    throw new CreditExceedsChargeError(`the unused ${from.name} time (${unused.amount}) is worth more than ${to.name} (${to.amount})`);
  }
  return {
    direction: 'upgrade',
    resetsPeriod: true,
    credit: unused.amount,
    charge: to.amount,
    total: to.amount - unused.amount,
    lines: [
      { type: 'credit', description: `Unused time on ${from.name}`, planId: from.id, amount: -unused.amount, periodStart: unused.from.toISOString(), periodEnd: period.periodEnd.toISOString() },
      { type: 'charge', description: `${to.name} from now`, planId: to.id, amount: to.amount, periodStart: newPeriod.start.toISOString(), periodEnd: newPeriod.end.toISOString() },
    ],
    periodStart: newPeriod.start,
    periodEnd: newPeriod.end,
  };
}
