import { billingTime } from './billing-time';

describe('billingTime', () => {
  it('should add the test-clock offset in seconds to the system time', () => {
    const now = new Date('2026-03-10T12:00:00.000Z');
    expect(billingTime(now, 0)).toEqual(now);
    expect(billingTime(now, 86_400).toISOString()).toBe('2026-03-11T12:00:00.000Z');
  });
});
