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
  if (denominator <= 0n || numerator < 0n) throw new RangeError('divideRoundHalfUp expects numerator ≥ 0 and denominator > 0');
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
 * where remaining = whole seconds from `at` to the period end (0 when past it) and period = whole
 * seconds of the current period; rounding is half-up to the minor unit, each line on its own.
 */
export function prorate(params: {
  from: PricedPlan;
  to: PricedPlan;
  periodStart: Date;
  periodEnd: Date;
  at: Date;
}): Proration {
  const { from, to, periodStart, periodEnd, at } = params;
  const periodSeconds = Math.floor((periodEnd.getTime() - periodStart.getTime()) / 1000);
  if (periodSeconds <= 0) throw new RangeError('the billing period must last at least one second');
  const remainingSeconds = Math.min(periodSeconds, Math.max(0, Math.floor((periodEnd.getTime() - at.getTime()) / 1000)));

  const share = (amount: number): number =>
    Number(divideRoundHalfUp(BigInt(amount) * BigInt(remainingSeconds), BigInt(periodSeconds)));
  const credit = share(from.amount);
  const charge = share(to.amount);
  const lineStart = new Date(periodEnd.getTime() - remainingSeconds * 1000).toISOString();
  const lineEnd = periodEnd.toISOString();

  return {
    credit,
    charge,
    total: charge - credit,
    remainingSeconds,
    periodSeconds,
    lines: [
      { type: 'credit', description: `Unused time on ${from.name}`, planId: from.id, amount: -credit, periodStart: lineStart, periodEnd: lineEnd },
      { type: 'charge', description: `Remaining time on ${to.name}`, planId: to.id, amount: charge, periodStart: lineStart, periodEnd: lineEnd },
    ],
  };
}
