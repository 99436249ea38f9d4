const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DELAY_PATTERN = /^(\d+)(ms|s|m|h)$/;

/** Jitter spreads retries of many deliveries that failed together (e.g. a receiver outage). */
export const RETRY_JITTER_RATIO = 0.2;

/** Parses `"5s,5m,30m,2h"` into milliseconds: the delays after the 1st, 2nd, ... failed attempt. */
export function parseRetrySchedule(spec: string): number[] {
  const parts = spec.split(',').map((part) => part.trim());
  return parts.map((part) => {
    const match = DELAY_PATTERN.exec(part);
    if (!match) {
      throw new Error(`invalid delay "${part}" in retry schedule "${spec}" (expected e.g. 500ms, 5s, 5m, 2h)`);
    }
    return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  });
}

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
