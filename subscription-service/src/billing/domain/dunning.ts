/**
 * Dunning of a renewal invoice. The schedule lists delays measured from the renewal's due date (the
 * end of the unpaid period, when the first attempt fails): `1d,3d,5d` retries 1, 3 and 5 days after
 * it. After `failedAttempts` failures (first attempt included) the invoice is either retried at the
 * next scheduled time or, when every retry has failed, the subscription is canceled.
 */
export type DunningStep = { readonly kind: 'retry'; readonly at: Date } | { readonly kind: 'exhausted' };

export function nextDunningStep(scheduleMs: readonly number[], dueAt: Date, failedAttempts: number): DunningStep {
  if (failedAttempts < 1) throw new RangeError('dunning starts after the first failed attempt');
  const retriesUsed = failedAttempts - 1;
  if (retriesUsed >= scheduleMs.length) return { kind: 'exhausted' };
  return { kind: 'retry', at: new Date(dueAt.getTime() + scheduleMs[retriesUsed]) };
}

/** The last scheduled retry is this long after the due date: the longest a renewal can stay unpaid. */
export function dunningWindowMs(scheduleMs: readonly number[]): number {
  return scheduleMs.length === 0 ? 0 : Math.max(...scheduleMs);
}

/**
 * A dunning retry that comes due while another attempt on the invoice is still in flight (a customer's pay now,
 * or the retry after a payment-method update) is postponed by this much instead of starting a second concurrent
 * charge: one hour, time for the attempt in flight to settle (by webhook, or by reconciliation after
 * RECONCILIATION_AFTER_MS, 15 min by default). If that attempt succeeds the renewal is paid and no retry is left.
 */
export const IN_FLIGHT_RETRY_POSTPONEMENT_MS = 60 * 60 * 1000;

/** When a dunning retry that found an attempt in flight at `now` is tried again. */
export function postponedRetryAt(now: Date, postponementMs: number = IN_FLIGHT_RETRY_POSTPONEMENT_MS): Date {
  return new Date(now.getTime() + postponementMs);
}
