import fc from 'fast-check';
import {
  BillingCycle,
  cycleMonths,
  firstPeriod,
  periodBoundary,
  periodEndAfter,
  renewalPeriod,
} from './billing-period';

const PERIODS = 48;
const DAY_MS = 24 * 60 * 60 * 1000;

// Every anchor day 1–31 in every month it exists in, years 1990–2100 (leap years, 2000 and 2100
// included), any time of day to the millisecond; monthly, yearly and multi-month cycles.
const anchor = fc
  .record({
    year: fc.integer({ min: 1990, max: 2100 }),
    month: fc.integer({ min: 0, max: 11 }),
    day: fc.integer({ min: 1, max: 31 }),
    timeOfDayMs: fc.integer({ min: 0, max: DAY_MS - 1 }),
  })
  .filter(({ year, month, day }) => day <= daysInMonth(year, month))
  .map(({ year, month, day, timeOfDayMs }) => new Date(Date.UTC(year, month, day) + timeOfDayMs));
const cycle: fc.Arbitrary<BillingCycle> = fc.oneof(
  fc.constant<BillingCycle>({ interval: 'month', intervalCount: 1 }),
  fc.constant<BillingCycle>({ interval: 'year', intervalCount: 1 }),
  fc.record({
    interval: fc.constantFrom('month' as const, 'year' as const),
    intervalCount: fc.integer({ min: 2, max: 12 }),
  }),
);

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}
const timeOfDay = (instant: Date): number => instant.getTime() % DAY_MS;

/** The periods a subscription goes through when every renewal is computed from the previous period, as the billing worker does. */
function renewals(start: Date, billing: BillingCycle, count: number): { start: Date; end: Date }[] {
  let period = firstPeriod(start, billing);
  const periods = [period];
  while (periods.length < count) {
    period = renewalPeriod({ anchor: period.anchor, end: period.end, cycle: billing }, billing);
    periods.push(period);
  }
  return periods;
}

describe('billing period properties (48 consecutive periods)', () => {
  it('should never drift from the anchor day beyond month-length clamping, and keep the time of day', () => {
    fc.assert(
      fc.property(anchor, cycle, (at, billing) => {
        renewals(at, billing, PERIODS).forEach((period, index) => {
          const n = index + 1;
          const monthIndex = at.getUTCFullYear() * 12 + at.getUTCMonth() + n * cycleMonths(billing);
          const year = Math.floor(monthIndex / 12);
          const month = monthIndex % 12;
          expect([period.end.getUTCFullYear(), period.end.getUTCMonth()]).toEqual([year, month]);
          expect(period.end.getUTCDate()).toBe(Math.min(at.getUTCDate(), daysInMonth(year, month)));
          expect(timeOfDay(period.end)).toBe(timeOfDay(at));
          expect(period.end).toEqual(periodBoundary(at, billing, n));
        });
      }),
    );
  });

  it('should tile time: each period starts where the previous one ended and lasts a positive time', () => {
    fc.assert(
      fc.property(anchor, cycle, (at, billing) => {
        const periods = renewals(at, billing, PERIODS);
        expect(periods.map((period) => period.start)).toEqual([
          at,
          ...periods.slice(0, -1).map((period) => period.end),
        ]);
        for (const period of periods) expect(period.end.getTime()).toBeGreaterThan(period.start.getTime());
      }),
    );
  });

  it('should find the period end from any instant: the first boundary after it, which is at most one cycle away', () => {
    fc.assert(
      fc.property(
        anchor,
        cycle,
        fc.integer({ min: 0, max: PERIODS - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (at, billing, n, position) => {
          const start = periodBoundary(at, billing, n);
          const end = periodBoundary(at, billing, n + 1);
          const inside = new Date(start.getTime() + Math.floor(position * (end.getTime() - start.getTime())));
          expect(periodEndAfter(at, billing, inside)).toEqual(end);
        },
      ),
    );
  });
});
