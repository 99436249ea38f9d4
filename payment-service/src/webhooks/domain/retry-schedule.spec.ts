import { nextRetryDelayMs } from './retry-schedule';

describe('nextRetryDelayMs', () => {
  const schedule = [1_000, 10_000];

  it('should return the scheduled delay when the jitter is centred', () => {
    expect(nextRetryDelayMs(schedule, 1, () => 0.5)).toBe(10_000);
  });

  it('should stay within ±20 % of the scheduled delay', () => {
    expect(nextRetryDelayMs(schedule, 0, () => 0)).toBe(800);
    expect(nextRetryDelayMs(schedule, 0, () => 0.999_999)).toBe(1_200);
    for (let i = 0; i < 1_000; i += 1) {
      const delay = nextRetryDelayMs(schedule, 0, Math.random)!;
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1_200);
    }
  });

  it('should return null once the schedule is exhausted', () => {
    expect(nextRetryDelayMs(schedule, 2, () => 0.5)).toBeNull();
  });
});
