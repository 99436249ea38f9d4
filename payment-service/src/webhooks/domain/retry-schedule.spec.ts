import { nextRetryDelayMs, parseRetrySchedule } from './retry-schedule';

describe('parseRetrySchedule', () => {
  it('should convert every supported unit to milliseconds', () => {
    expect(parseRetrySchedule('200ms,5s,5m,2h')).toEqual([200, 5_000, 300_000, 7_200_000]);
  });

  it('should accept spaces around the entries', () => {
    expect(parseRetrySchedule(' 1s , 2s ')).toEqual([1_000, 2_000]);
  });

  it.each(['', '5', '5d', '-5s', '1.5s', '5s,,5m'])('should reject "%s"', (spec) => {
    expect(() => parseRetrySchedule(spec)).toThrow(/invalid delay/);
  });
});

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
