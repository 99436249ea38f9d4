export type PlanInterval = 'month' | 'year';

export interface BillingCycle {
  readonly interval: PlanInterval;
  readonly intervalCount: number;
}

/**
 * End of a billing period that starts at `start`, in UTC calendar months. A day that does not exist
 * in the target month is clamped to its last day (Jan 31 + 1 month = Feb 28/29).
 */
export function addBillingCycle(start: Date, cycle: BillingCycle): Date {
  const months = (cycle.interval === 'year' ? 12 : 1) * cycle.intervalCount;
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth() + months;
  const lastDayOfTarget = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const end = new Date(start.getTime());
  end.setUTCFullYear(year, month, Math.min(start.getUTCDate(), lastDayOfTarget));
  return end;
}

/** Length of a cycle in months: the unit used to compare prices of different cycles. */
export function cycleMonths(cycle: BillingCycle): number {
  return (cycle.interval === 'year' ? 12 : 1) * cycle.intervalCount;
}
