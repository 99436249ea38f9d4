export interface BackoffPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Fraction of the delay added or removed at random (0.2 = ±20 %), so retries of many rows spread out. */
  readonly jitter: number;
}

export const OUTBOX_BACKOFF: BackoffPolicy = { baseDelayMs: 1000, maxDelayMs: 5 * 60 * 1000, jitter: 0.2 };

/** Delay before retry number `attempt` (1 = after the first failure): base × 2^(attempt−1), capped, jittered. */
export function retryDelayMs(
  attempt: number,
  policy: BackoffPolicy = OUTBOX_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(capped * factor));
}
