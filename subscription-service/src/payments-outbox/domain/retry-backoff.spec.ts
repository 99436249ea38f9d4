import { OUTBOX_BACKOFF, retryDelayMs } from './retry-backoff';

// Tests the production policy the outbox worker uses (README: 1 s × 2ⁿ, max 5 min, ±20 % jitter), not a copy.
const noJitter = (): number => 0.5;

describe('retryDelayMs with OUTBOX_BACKOFF', () => {
  it('should be the documented policy: 1 s base, 5 min cap, ±20 % jitter', () => {
    expect(OUTBOX_BACKOFF).toEqual({ baseDelayMs: 1000, maxDelayMs: 300_000, jitter: 0.2 });
  });

  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [9, 256_000],
    [10, 300_000],
    [30, 300_000],
  ])('should wait for attempt %d %d ms before jitter', (attempt, expected) => {
    expect(retryDelayMs(attempt, OUTBOX_BACKOFF, noJitter)).toBe(expected);
  });

  it('should spread delays by at most ±20 %', () => {
    expect(retryDelayMs(2, OUTBOX_BACKOFF, () => 0)).toBe(1600);
    expect(retryDelayMs(2, OUTBOX_BACKOFF, () => 1)).toBe(2400);
    expect(retryDelayMs(30, OUTBOX_BACKOFF, () => 1)).toBe(360_000);
  });

  it('should use OUTBOX_BACKOFF when no policy is given', () => {
    for (const attempt of [1, 4, 12]) {
      expect(retryDelayMs(attempt, undefined, noJitter)).toBe(retryDelayMs(attempt, OUTBOX_BACKOFF, noJitter));
    }
  });
});
