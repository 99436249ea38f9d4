import fc from 'fast-check';
import { periodBoundary } from './billing-period';
import { ImmediateQuote, PLAN_CHANGE_TIMINGS, PlanChangeTiming, quotePlanChange } from './plan-change';
import { PricedPlan, prorate } from './proration';

// Random plans, billing periods and instants (inside, before and after the period, with milliseconds).
// Periods are anchored ones (period n of a cycle anchored at the start instant, n = 0…47), so their
// lengths vary as stored periods do (Feb 28 → Mar 31 on a Jan 31 anchor), not only "start + interval".
const amount = fc.integer({ min: 1, max: 100_000_000 });
const cycle = fc.record({
  interval: fc.constantFrom('month' as const, 'year' as const),
  intervalCount: fc.integer({ min: 1, max: 3 }),
});
const pricedPlan = (id: string): fc.Arbitrary<PricedPlan> =>
  fc.record({ amount, cycle }).map(({ amount, cycle }) => ({ id, name: id, amount, ...cycle }));
const scenario = fc
  .record({
    from: pricedPlan('from'),
    to: pricedPlan('to'),
    anchorMs: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
    periodNumber: fc.integer({ min: 0, max: 47 }),
    position: fc.double({ min: -0.1, max: 1.1, noNaN: true }),
    extraMs: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ from, to, anchorMs, periodNumber, position, extraMs }) => {
    const periodStart = periodBoundary(new Date(anchorMs), from, periodNumber);
    const periodEnd = periodBoundary(new Date(anchorMs), from, periodNumber + 1);
    const startMs = periodStart.getTime();
    const at = new Date(Math.round(startMs + position * (periodEnd.getTime() - startMs)) + extraMs);
    return { from, to, periodStart, periodEnd, at };
  });
const sameCycleScenario = scenario.map((s) => ({
  ...s,
  to: { ...s.to, interval: s.from.interval, intervalCount: s.from.intervalCount },
}));

const timing = fc.constantFrom<PlanChangeTiming | undefined>(undefined, ...PLAN_CHANGE_TIMINGS);

/** The quote changePlan would bill now, or null when it schedules the change for the period end (nothing billed). */
const quoteOrNull = (
  from: PricedPlan,
  to: PricedPlan,
  period: { periodStart: Date; periodEnd: Date },
  at: Date,
  requested?: PlanChangeTiming,
): ImmediateQuote | null => {
  const quote = quotePlanChange(from, to, period, at, requested);
  return quote.effective === 'now' ? quote : null;
};

/** |rounded − numerator/denominator| ≤ ½, checked exactly: |2·rounded·denominator − 2·numerator| ≤ denominator. */
const withinHalfUnit = (rounded: number, numerator: bigint, denominator: bigint): boolean => {
  const diff = 2n * BigInt(rounded) * denominator - 2n * numerator;
  return (diff < 0n ? -diff : diff) <= denominator;
};

describe('proration properties', () => {
  it('should make the total equal the sum of the lines', () => {
    fc.assert(
      fc.property(scenario, ({ from, to, periodStart, periodEnd, at }) => {
        const result = prorate({ from, to, periodStart, periodEnd, at });
        expect(result.total).toBe(result.lines.reduce((sum, line) => sum + line.amount, 0));
      }),
    );
  });

  it('should make the total of every quote billed now (same or another interval, any direction) equal the sum of its lines', () => {
    fc.assert(
      fc.property(scenario, timing, ({ from, to, periodStart, periodEnd, at }, requested) => {
        const quote = quoteOrNull(from, to, { periodStart, periodEnd }, at, requested);
        fc.pre(quote !== null);
        expect(quote.total).toBe(quote.lines.reduce((sum, line) => sum + line.amount, 0));
      }),
    );
  });

  it('should cost nothing net when a change is reversed within the same second', () => {
    fc.assert(
      fc.property(
        sameCycleScenario,
        fc.integer({ min: 0, max: 999 }),
        ({ from, to, periodStart, periodEnd, at }, laterMs) => {
          const there = prorate({ from, to, periodStart, periodEnd, at });
          const sameSecond = new Date(Math.floor(at.getTime() / 1000) * 1000 + laterMs);
          const back = prorate({ from: to, to: from, periodStart, periodEnd, at: sameSecond });
          expect(there.total + back.total).toBe(0);
        },
      ),
    );
  });

  it("should never bill more than the new plan's full price", () => {
    fc.assert(
      fc.property(scenario, ({ from, to, periodStart, periodEnd, at }) => {
        const result = prorate({ from, to, periodStart, periodEnd, at });
        expect(result.charge).toBeLessThanOrEqual(to.amount);
        expect(result.total).toBeLessThanOrEqual(to.amount);
        expect(result.credit).toBeLessThanOrEqual(from.amount);
      }),
    );
  });

  it("should never bill a change now more than the new plan's full price, nor less than nothing (no customer balance)", () => {
    fc.assert(
      fc.property(scenario, timing, ({ from, to, periodStart, periodEnd, at }, requested) => {
        const quote = quoteOrNull(from, to, { periodStart, periodEnd }, at, requested);
        fc.pre(quote !== null);
        expect(quote.charge).toBeLessThanOrEqual(to.amount);
        expect(quote.total).toBeLessThanOrEqual(to.amount);
        expect(quote.total).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('should round each line to within half a minor unit of the exact rational value', () => {
    fc.assert(
      fc.property(scenario, ({ from, to, periodStart, periodEnd, at }) => {
        const result = prorate({ from, to, periodStart, periodEnd, at });
        const remaining = BigInt(result.remainingSeconds);
        const periodSeconds = BigInt(result.periodSeconds);
        expect(withinHalfUnit(result.credit, BigInt(from.amount) * remaining, periodSeconds)).toBe(true);
        expect(withinHalfUnit(result.charge, BigInt(to.amount) * remaining, periodSeconds)).toBe(true);
        // so the total is within one minor unit of (new − old) × remaining / period
        const exactTwice = 2n * (BigInt(to.amount) - BigInt(from.amount)) * remaining;
        const diff = 2n * BigInt(result.total) * periodSeconds - exactTwice;
        expect((diff < 0n ? -diff : diff) <= 2n * periodSeconds).toBe(true);
      }),
    );
  });

  it('should give every change a path: scheduled for the period end, or billed now with a total ≥ 0', () => {
    fc.assert(
      fc.property(scenario, timing, ({ from, to, periodStart, periodEnd, at }, requested) => {
        const quote = quotePlanChange(from, to, { periodStart, periodEnd }, at, requested);
        const path =
          quote.effective === 'period_end' ? quote.appliesAt.getTime() === periodEnd.getTime() : quote.total >= 0;
        expect(path).toBe(true);
        expect(requested !== 'period_end' || (quote.effective === 'period_end' && quote.reason === 'requested')).toBe(
          true,
        );
      }),
    );
  });
});
