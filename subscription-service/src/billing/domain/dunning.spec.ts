import { dunningWindowMs, IN_FLIGHT_RETRY_POSTPONEMENT_MS, nextDunningStep, postponedRetryAt } from './dunning';

const DAY = 86_400_000;
const schedule = [1 * DAY, 3 * DAY, 5 * DAY];
const dueAt = new Date('2026-04-10T12:00:00.000Z');

describe('nextDunningStep', () => {
  it.each([
    [1, '2026-04-11T12:00:00.000Z'],
    [2, '2026-04-13T12:00:00.000Z'],
    [3, '2026-04-15T12:00:00.000Z'],
  ])('should schedule the retry after %d failed attempt(s) at %s', (failedAttempts, at) => {
    expect(nextDunningStep(schedule, dueAt, failedAttempts)).toEqual({ kind: 'retry', at: new Date(at) });
  });

  it('should be exhausted once the last retry has failed', () => {
    expect(nextDunningStep(schedule, dueAt, 4)).toEqual({ kind: 'exhausted' });
  });

  it('should be exhausted at the first failure with an empty schedule', () => {
    expect(nextDunningStep([], dueAt, 1)).toEqual({ kind: 'exhausted' });
  });

  it('should refuse to run before any failure', () => {
    expect(() => nextDunningStep(schedule, dueAt, 0)).toThrow(RangeError);
  });
});

describe('dunningWindowMs', () => {
  it('should be the delay of the last retry', () => {
    expect(dunningWindowMs(schedule)).toBe(5 * DAY);
    expect(dunningWindowMs([])).toBe(0);
  });
});

describe('postponedRetryAt', () => {
  it('should postpone a retry that found an attempt in flight by one hour by default', () => {
    expect(IN_FLIGHT_RETRY_POSTPONEMENT_MS).toBe(3_600_000);
    expect(postponedRetryAt(new Date('2026-04-11T12:00:00.000Z'))).toEqual(new Date('2026-04-11T13:00:00.000Z'));
    expect(postponedRetryAt(new Date('2026-04-11T12:00:00.000Z'), 5_000)).toEqual(new Date('2026-04-11T12:00:05.000Z'));
  });
});
