import { parseRetrySchedule } from './retry-schedule';

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
