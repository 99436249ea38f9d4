import { retryDelayMs } from './retry-backoff';

const policy = { baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 };
const noJitter = (): number => 0.5;

describe('retryDelayMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [7, 60_000],
    [30, 60_000],
  ])('should wait for attempt %d %d ms before jitter', (attempt, expected) => {
    expect(retryDelayMs(attempt, policy, noJitter)).toBe(expected);
  });

  it('should spread delays by at most ±20 %', () => {
    expect(retryDelayMs(2, policy, () => 0)).toBe(1600);
    expect(retryDelayMs(2, policy, () => 1)).toBe(2400);
  });
});
