import { classifyPlanChange, divideRoundHalfUp, PricedPlan, prorate } from './proration';

const plan = (id: string, amount: number, interval: 'month' | 'year' = 'month', intervalCount = 1): PricedPlan => ({
  id,
  name: id,
  amount,
  interval,
  intervalCount,
});
const starter = plan('starter', 900);
const pro = plan('pro', 2900);
const business = plan('business', 9900);

// A 30-day period: 2,592,000 seconds.
const periodStart = new Date('2026-04-01T00:00:00Z');
const periodEnd = new Date('2026-05-01T00:00:00Z');

describe('divideRoundHalfUp', () => {
  it.each([
    [10n, 4n, 3n], // 2.5 → 3
    [9n, 4n, 2n], // 2.25 → 2
    [11n, 4n, 3n], // 2.75 → 3
    [0n, 7n, 0n],
    [7n, 7n, 1n],
  ])('should round %d/%d to %d', (numerator, denominator, expected) => {
    expect(divideRoundHalfUp(numerator, denominator)).toBe(expected);
  });

  it('should reject a zero denominator', () => {
    expect(() => divideRoundHalfUp(1n, 0n)).toThrow(RangeError);
  });
});

describe('classifyPlanChange', () => {
  it('should classify a higher monthly price as an upgrade', () => {
    expect(classifyPlanChange(starter, pro)).toBe('upgrade');
  });

  it('should classify a lower monthly price as a downgrade', () => {
    expect(classifyPlanChange(business, pro)).toBe('downgrade');
  });

  it('should classify an equal price as a downgrade (no charge, applied at period end)', () => {
    expect(classifyPlanChange(pro, plan('pro-copy', 2900))).toBe('downgrade');
  });

  it('should compare price per unit of time across intervals', () => {
    // 29000/year = 2416.67/month < 2900/month
    expect(classifyPlanChange(pro, plan('pro-yearly', 29000, 'year'))).toBe('downgrade');
    expect(classifyPlanChange(plan('pro-yearly', 29000, 'year'), pro)).toBe('upgrade');
    // 2 × 2900 every 2 months equals 2900 monthly
    expect(classifyPlanChange(pro, plan('pro-bimonthly', 5800, 'month', 2))).toBe('downgrade');
  });
});

describe('prorate', () => {
  it('should charge the exact price difference for half of a period', () => {
    const at = new Date('2026-04-16T00:00:00Z'); // 15 of 30 days left
    const result = prorate({ from: starter, to: pro, periodStart, periodEnd, at });
    expect(result).toMatchObject({
      periodSeconds: 2_592_000,
      remainingSeconds: 1_296_000,
      credit: 450,
      charge: 1450,
      total: 1000,
    });
  });

  it('should round each line half-up to the minor unit', () => {
    // 10 of 30 days left: credit 900/3 = 300, charge 2900/3 = 966.67 → 967
    const at = new Date('2026-04-21T00:00:00Z');
    const result = prorate({ from: starter, to: pro, periodStart, periodEnd, at });
    expect(result).toMatchObject({ credit: 300, charge: 967, total: 667 });
  });

  it('should round an exact half up', () => {
    // 1 of 2 seconds left: 901/2 = 450.5 → 451 and 2901/2 = 1450.5 → 1451
    const start = new Date('2026-04-01T00:00:00Z');
    const end = new Date('2026-04-01T00:00:02Z');
    const result = prorate({
      from: plan('a', 901),
      to: plan('b', 2901),
      periodStart: start,
      periodEnd: end,
      at: new Date('2026-04-01T00:00:01Z'),
    });
    expect(result).toMatchObject({ credit: 451, charge: 1451, total: 1000 });
  });

  it('should prorate to the second, ignoring the milliseconds of the change', () => {
    const at = new Date(periodEnd.getTime() - 86_400_000 + 999); // 0.999 s into the last day's first second
    const result = prorate({ from: starter, to: business, periodStart, periodEnd, at });
    expect(result.remainingSeconds).toBe(86_400);
    expect(result).toMatchObject({ credit: 30, charge: 330, total: 300 });
  });

  it('should charge the full difference at the start of the period', () => {
    const result = prorate({ from: starter, to: pro, periodStart, periodEnd, at: periodStart });
    expect(result).toMatchObject({ credit: 900, charge: 2900, total: 2000 });
  });

  it('should charge nothing when no time remains', () => {
    const result = prorate({ from: starter, to: pro, periodStart, periodEnd, at: new Date('2026-05-02T00:00:00Z') });
    expect(result).toMatchObject({ remainingSeconds: 0, credit: 0, charge: 0, total: 0 });
  });

  it('should itemise a negative credit line and a charge line over the remaining time', () => {
    const at = new Date('2026-04-16T00:00:00Z');
    const { lines } = prorate({ from: starter, to: pro, periodStart, periodEnd, at });
    expect(lines).toEqual([
      {
        type: 'credit',
        description: 'Unused time on starter',
        planId: 'starter',
        amount: -450,
        periodStart: at.toISOString(),
        periodEnd: periodEnd.toISOString(),
      },
      {
        type: 'charge',
        description: 'Remaining time on pro',
        planId: 'pro',
        amount: 1450,
        periodStart: at.toISOString(),
        periodEnd: periodEnd.toISOString(),
      },
    ]);
  });

  it('should stay exact for amounts whose product exceeds 2^53', () => {
    const yearStart = new Date('2026-01-01T00:00:00Z');
    const yearEnd = new Date('2027-01-01T00:00:00Z');
    const result = prorate({
      from: plan('small', 1, 'year'),
      to: plan('huge', 99_999_999, 'year'),
      periodStart: yearStart,
      periodEnd: yearEnd,
      at: new Date('2026-07-02T12:00:00Z'), // exactly half of 365 days left
    });
    expect(result).toMatchObject({ charge: 50_000_000, credit: 1, total: 49_999_999 });
  });
});
