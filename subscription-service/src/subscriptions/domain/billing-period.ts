export type PlanInterval = 'month' | 'year';

export interface BillingCycle {
  readonly interval: PlanInterval;
  readonly intervalCount: number;
}

/** Length of a cycle in months: the unit used to compare prices of different cycles. */
export function cycleMonths(cycle: BillingCycle): number {
  return (cycle.interval === 'year' ? 12 : 1) * cycle.intervalCount;
}

/** Same interval and interval count: a plan change between them keeps the billing cycle anchor. */
export function sameCycle(a: BillingCycle, b: BillingCycle): boolean {
  return a.interval === b.interval && a.intervalCount === b.intervalCount;
}

/**
 * Boundary number `n` of the billing cycle anchored at `anchor`: the anchor moved by n × cycleMonths
 * UTC calendar months, on the anchor's day of month clamped to the length of the target month, at the
 * anchor's UTC time of day (to the millisecond). n = 0 is the anchor itself; period n of a subscription
 * is [periodBoundary(n), periodBoundary(n + 1)).
 *
 * Every boundary is computed from the anchor, never from the previous boundary, so clamping in a short
 * month does not carry over: anchor Jan 31 → Feb 28 (Feb 29 in a leap year) → Mar 31 → Apr 30; yearly
 * anchor Feb 29 2028 → Feb 28 2029 … → Feb 29 2032. This is Stripe's billing_cycle_anchor rule ("if a
 * month doesn't have the anchor day, the subscription is billed on the last day of the month",
 * https://docs.stripe.com/billing/subscriptions/billing-cycle).
 */
export function periodBoundary(anchor: Date, cycle: BillingCycle, n: number): Date {
  if (!Number.isInteger(n)) throw new RangeError(`period number must be an integer, got ${n}`);
  const monthIndex = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + n * cycleMonths(cycle);
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  const boundary = new Date(anchor.getTime());
  boundary.setUTCFullYear(year, month, day);
  return boundary;
}

/**
 * End of the period that starts at `periodStart` on the cycle anchored at `anchor`: the first boundary
 * (see periodBoundary) strictly after `periodStart`. When `periodStart` is itself a boundary (every
 * renewal: it starts at the previous period's end), that is the next boundary, so consecutive periods
 * tile time with neither gap nor overlap.
 * @throws RangeError when `periodStart` is before the anchor (no period of this cycle starts there).
 */
export function periodEndAfter(anchor: Date, cycle: BillingCycle, periodStart: Date): Date {
  if (periodStart.getTime() < anchor.getTime()) {
    throw new RangeError(
      `period start ${periodStart.toISOString()} is before the billing cycle anchor ${anchor.toISOString()}`,
    );
  }
  const monthsApart =
    (periodStart.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + periodStart.getUTCMonth() - anchor.getUTCMonth();
  // Boundary n is never more than one cycle before its unclamped month, so start one below the estimate.
  let n = Math.max(0, Math.floor(monthsApart / cycleMonths(cycle)) - 1);
  let boundary = periodBoundary(anchor, cycle, n);
  while (boundary.getTime() <= periodStart.getTime()) {
    n += 1;
    boundary = periodBoundary(anchor, cycle, n);
  }
  return boundary;
}

/** A billing period on its cycle: [start, end), and the anchor the next periods are computed from. */
export interface AnchoredPeriod {
  readonly anchor: Date;
  readonly start: Date;
  readonly end: Date;
}

/**
 * The first period of a cycle that starts at `start`: the anchor is `start` itself (Stripe's default
 * billing_cycle_anchor is the subscription's creation, and `billing_cycle_anchor=now` resets it to the
 * change). Used on subscribe and whenever a plan change starts a new period.
 */
export function firstPeriod(start: Date, cycle: BillingCycle): AnchoredPeriod {
  return { anchor: start, start, end: periodBoundary(start, cycle, 1) };
}

/**
 * The period after the current one, renewed on `next` (the current plan, or a downgrade scheduled for
 * this boundary). It starts where the current period ends. With the same interval and interval count
 * the anchor is kept; with another one the new plan bills at its own interval from the renewal on, so
 * the anchor resets to the renewal's start (Stripe: prices with different billing periods are billed
 * at the new interval starting on the day of the change).
 */
export function renewalPeriod(
  current: { readonly anchor: Date; readonly end: Date; readonly cycle: BillingCycle },
  next: BillingCycle,
): AnchoredPeriod {
  if (!sameCycle(current.cycle, next)) return firstPeriod(current.end, next);
  return { anchor: current.anchor, start: current.end, end: periodEndAfter(current.anchor, next, current.end) };
}

/** Days in a UTC calendar month (`month` 0–11); handles leap years. */
function daysInMonth(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month + 1, 0); // day 0 of the next month (not Date.UTC, which maps years 0–99 to 1900–1999)
  return lastDay.getUTCDate();
}
