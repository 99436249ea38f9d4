import { BillingCycle, cycleMonths } from './billing-period';

export interface PricedPlan extends BillingCycle {
  readonly id: string;
  readonly name: string;
  readonly amount: number;
}

export type PlanChangeDirection = 'upgrade' | 'downgrade';

/**
 * Upgrade = strictly higher price per unit of time (compared exactly by cross-multiplication);
 * an equal or lower price is a downgrade, applied at period end without a charge.
 */
export function classifyPlanChange(from: PricedPlan, to: PricedPlan): PlanChangeDirection {
  const fromPerMonthScaled = BigInt(from.amount) * BigInt(cycleMonths(to));
  const toPerMonthScaled = BigInt(to.amount) * BigInt(cycleMonths(from));
  return toPerMonthScaled > fromPerMonthScaled ? 'upgrade' : 'downgrade';
}

/** round(numerator / denominator) with halves rounded up; both non-negative, exact in BigInt. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n || numerator < 0n)
    throw new RangeError('divideRoundHalfUp expects numerator ≥ 0 and denominator > 0');
  return (2n * numerator + denominator) / (2n * denominator);
}

export interface ProrationLine {
  readonly type: 'credit' | 'charge';
  readonly description: string;
  readonly planId: string;
  /** Minor units; negative for the credit. */
  readonly amount: number;
  readonly periodStart: string;
  readonly periodEnd: string;
}

export interface Proration {
  readonly credit: number;
  readonly charge: number;
  readonly total: number;
  readonly remainingSeconds: number;
  readonly periodSeconds: number;
  readonly lines: readonly ProrationLine[];
}

/**
 * Proration of an immediate plan change, to the second:
 *   credit = round(old.amount × remaining / period)   (unused part of what was paid)
 *   charge = round(new.amount × remaining / period)   (new plan for the rest of the period)
 *   total  = charge − credit
 * where remaining = seconds from `at` to the period end and period = seconds of the current period,
 * every instant truncated to its whole second (see shareOfPeriod); rounding is half-up to the minor
 * unit, each line on its own, so a change and its reverse within the same second net to zero.
 */
export function prorate(params: {
  from: PricedPlan;
  to: PricedPlan;
  periodStart: Date;
  periodEnd: Date;
  at: Date;
}): Proration {
  const { from, to, periodStart, periodEnd, at } = params;
  const credit = shareOfPeriod(from.amount, { periodStart, periodEnd }, at);
  const charge = shareOfPeriod(to.amount, { periodStart, periodEnd }, at);
  const lineStart = credit.from.toISOString();
  const lineEnd = periodEnd.toISOString();

  return {
    credit: credit.amount,
    charge: charge.amount,
    total: charge.amount - credit.amount,
    remainingSeconds: credit.remainingSeconds,
    periodSeconds: credit.periodSeconds,
    lines: [
      {
        type: 'credit',
        description: `Unused time on ${from.name}`,
        planId: from.id,
        amount: -credit.amount,
        periodStart: lineStart,
        periodEnd: lineEnd,
      },
      {
        type: 'charge',
        description: `Remaining time on ${to.name}`,
        planId: to.id,
        amount: charge.amount,
        periodStart: lineStart,
        periodEnd: lineEnd,
      },
    ],
  };
}

export interface PeriodShare {
  /** round(amount × remaining / period), half-up. */
  readonly amount: number;
  readonly remainingSeconds: number;
  readonly periodSeconds: number;
  /** Start of the remaining time: the period end minus the whole remaining seconds. */
  readonly from: Date;
}

/**
 * The part of `amount` that covers the rest of the period after `at`, to the second: instants are
 * truncated to whole (unix) seconds, remaining = seconds from `at` to the period end (0 when past
 * it, the whole period when before it), period = seconds of the period; rounded half-up.
 */
export function shareOfPeriod(amount: number, period: { periodStart: Date; periodEnd: Date }, at: Date): PeriodShare {
  const endSecond = unixSecond(period.periodEnd);
  const periodSeconds = endSecond - unixSecond(period.periodStart);
  if (periodSeconds <= 0) throw new RangeError('the billing period must last at least one second');
  const remainingSeconds = Math.min(periodSeconds, Math.max(0, endSecond - unixSecond(at)));
  return {
    amount: Number(divideRoundHalfUp(BigInt(amount) * BigInt(remainingSeconds), BigInt(periodSeconds))),
    remainingSeconds,
    periodSeconds,
    from: new Date(period.periodEnd.getTime() - remainingSeconds * 1000),
  };
}

const unixSecond = (instant: Date): number => Math.floor(instant.getTime() / 1000);
