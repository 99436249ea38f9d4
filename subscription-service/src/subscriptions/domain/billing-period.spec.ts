import { BillingCycle, firstPeriod, periodBoundary, periodEndAfter, renewalPeriod } from './billing-period';

const monthly: BillingCycle = { interval: 'month', intervalCount: 1 };
const quarterly: BillingCycle = { interval: 'month', intervalCount: 3 };
const yearly: BillingCycle = { interval: 'year', intervalCount: 1 };

/** Boundaries 0…count of the cycle anchored at `anchor`, as ISO strings. */
const boundaries = (anchor: string, cycle: BillingCycle, count: number): string[] =>
  Array.from({ length: count + 1 }, (_, n) => periodBoundary(new Date(anchor), cycle, n).toISOString());

/** Period ends of `count` consecutive renewals (each from the previous end), starting with the first period. */
const renewedEnds = (anchor: string, cycle: BillingCycle, count: number): string[] => {
  let period = firstPeriod(new Date(anchor), cycle);
  const ends = [period.end.toISOString()];
  for (let i = 1; i < count; i += 1) {
    period = renewalPeriod({ anchor: period.anchor, end: period.end, cycle }, cycle);
    ends.push(period.end.toISOString());
  }
  return ends;
};

describe('periodBoundary', () => {
  it('should keep the anchor day after a short month: Jan 31 2027 → Feb 28 → Mar 31 → Apr 30', () => {
    expect(boundaries('2027-01-31T09:30:00.000Z', monthly, 3)).toEqual([
      '2027-01-31T09:30:00.000Z',
      '2027-02-28T09:30:00.000Z',
      '2027-03-31T09:30:00.000Z',
      '2027-04-30T09:30:00.000Z',
    ]);
  });

  it('should clamp to Feb 29 in a leap year: Jan 31 2028 → Feb 29 → Mar 31 → Apr 30', () => {
    expect(boundaries('2028-01-31T00:00:00.000Z', monthly, 3)).toEqual([
      '2028-01-31T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
      '2028-04-30T00:00:00.000Z',
    ]);
  });

  it('should renew a yearly Feb 29 anchor on Feb 28 and back on Feb 29 in the next leap year (2028 → 2032)', () => {
    expect(boundaries('2028-02-29T12:00:00.000Z', yearly, 4)).toEqual([
      '2028-02-29T12:00:00.000Z',
      '2029-02-28T12:00:00.000Z',
      '2030-02-28T12:00:00.000Z',
      '2031-02-28T12:00:00.000Z',
      '2032-02-29T12:00:00.000Z',
    ]);
  });

  it('should move a multi-month cycle by whole cycles from the anchor: quarterly Nov 30 → Feb 28 → May 30 → Aug 30', () => {
    expect(boundaries('2026-11-30T23:59:59.999Z', quarterly, 3)).toEqual([
      '2026-11-30T23:59:59.999Z',
      '2027-02-28T23:59:59.999Z',
      '2027-05-30T23:59:59.999Z',
      '2027-08-30T23:59:59.999Z',
    ]);
  });

  it.each([
    ['2026-03-10T12:00:00.000Z', monthly, '2026-04-10T12:00:00.000Z'],
    ['2026-01-31T08:00:00.000Z', monthly, '2026-02-28T08:00:00.000Z'],
    ['2028-01-31T08:00:00.000Z', monthly, '2028-02-29T08:00:00.000Z'],
    ['2026-11-15T00:00:00.000Z', quarterly, '2027-02-15T00:00:00.000Z'],
    ['2026-12-31T00:00:00.000Z', monthly, '2027-01-31T00:00:00.000Z'],
    ['2028-02-29T00:00:00.000Z', yearly, '2029-02-28T00:00:00.000Z'],
  ] as const)('should end the first period anchored at %s one cycle later (%o → %s)', (anchor, cycle, expected) => {
    expect(firstPeriod(new Date(anchor), cycle)).toEqual({
      anchor: new Date(anchor),
      start: new Date(anchor),
      end: new Date(expected),
    });
  });

  it('should refuse a period number that is not an integer', () => {
    expect(() => periodBoundary(new Date('2026-01-31T00:00:00Z'), monthly, 1.5)).toThrow(RangeError);
  });
});

describe('periodEndAfter', () => {
  const anchor = new Date('2027-01-31T09:30:00.000Z');

  it('should give the next boundary after a boundary, and the boundary that follows any instant inside a period', () => {
    expect(periodEndAfter(anchor, monthly, new Date('2027-02-28T09:30:00.000Z')).toISOString()).toBe(
      '2027-03-31T09:30:00.000Z',
    );
    expect(periodEndAfter(anchor, monthly, new Date('2027-03-28T09:30:00.000Z')).toISOString()).toBe(
      '2027-03-31T09:30:00.000Z',
    );
    expect(periodEndAfter(anchor, monthly, new Date('2027-03-31T09:29:59.999Z')).toISOString()).toBe(
      '2027-03-31T09:30:00.000Z',
    );
    expect(periodEndAfter(anchor, monthly, anchor).toISOString()).toBe('2027-02-28T09:30:00.000Z');
  });

  it('should refuse a period start before the anchor', () => {
    expect(() => periodEndAfter(anchor, monthly, new Date('2027-01-31T09:29:59.999Z'))).toThrow(RangeError);
  });
});

describe('renewalPeriod', () => {
  it('should renew from the anchor, not from the previous end: Jan 31 → Feb 28 → Mar 31 → Apr 30 (2027), Feb 29 in 2028', () => {
    expect(renewedEnds('2027-01-31T09:30:00.000Z', monthly, 3)).toEqual([
      '2027-02-28T09:30:00.000Z',
      '2027-03-31T09:30:00.000Z',
      '2027-04-30T09:30:00.000Z',
    ]);
    expect(renewedEnds('2028-01-31T09:30:00.000Z', monthly, 3)).toEqual([
      '2028-02-29T09:30:00.000Z',
      '2028-03-31T09:30:00.000Z',
      '2028-04-30T09:30:00.000Z',
    ]);
  });

  it('should renew a yearly Feb 29 2028 subscription on Feb 28 2029, 2030, 2031 and Feb 29 2032', () => {
    expect(renewedEnds('2028-02-29T00:00:00.000Z', yearly, 4)).toEqual([
      '2029-02-28T00:00:00.000Z',
      '2030-02-28T00:00:00.000Z',
      '2031-02-28T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });

  it('should keep the anchor when the next plan has the same interval (a downgrade at renewal)', () => {
    const current = {
      anchor: new Date('2027-01-31T00:00:00.000Z'),
      end: new Date('2027-02-28T00:00:00.000Z'),
      cycle: monthly,
    };
    expect(renewalPeriod(current, { ...monthly })).toEqual({
      anchor: new Date('2027-01-31T00:00:00.000Z'),
      start: new Date('2027-02-28T00:00:00.000Z'),
      end: new Date('2027-03-31T00:00:00.000Z'),
    });
  });

  it('should reset the anchor to the renewal when the next plan has another interval or interval count', () => {
    const current = {
      anchor: new Date('2027-01-31T00:00:00.000Z'),
      end: new Date('2027-02-28T00:00:00.000Z'),
      cycle: monthly,
    };
    expect(renewalPeriod(current, yearly)).toEqual({
      anchor: new Date('2027-02-28T00:00:00.000Z'),
      start: new Date('2027-02-28T00:00:00.000Z'),
      end: new Date('2028-02-28T00:00:00.000Z'),
    });
    expect(renewalPeriod(current, quarterly).end).toEqual(new Date('2027-05-28T00:00:00.000Z'));
  });
});
