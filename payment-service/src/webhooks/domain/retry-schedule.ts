/** Jitter spreads retries of many deliveries that failed together (e.g. a receiver outage). */
export const RETRY_JITTER_RATIO = 0.2;

/**
 * Delay before retry number `retryIndex` (0 = first retry), jittered by ±20 %; `null` when the
 * schedule is exhausted (the delivery becomes a dead letter). `random` returns a number in [0, 1).
 */
export function nextRetryDelayMs(schedule: readonly number[], retryIndex: number, random: () => number): number | null {
  const base = schedule[retryIndex];
  if (base === undefined) {
    return null;
  }
  const factor = 1 - RETRY_JITTER_RATIO + 2 * RETRY_JITTER_RATIO * random();
  return Math.round(base * factor);
}
