import { defaultTiming, quotePlanChange } from './plan-change';
import { PricedPlan } from './proration';

const plan = (id: string, amount: number, interval: 'month' | 'year' = 'month'): PricedPlan => ({
  id,
  name: id,
  amount,
  interval,
  intervalCount: 1,
});
const starter = plan('Starter', 900);
const pro = plan('Pro', 2900);
const proLite = plan('Pro lite', 2900);
const proYearly = plan('Pro yearly', 29000, 'year');
const businessYearly = plan('Business yearly', 99000, 'year');

// The worked example of the README: a 30-day period, 10 days used, Starter (900) → Pro (2900).
const period = { periodStart: new Date('2026-04-01T00:00:00.000Z'), periodEnd: new Date('2026-05-01T00:00:00.000Z') };
const tenDaysUsed = new Date('2026-04-11T00:00:00.000Z');
const year = { periodStart: new Date('2026-01-01T00:00:00Z'), periodEnd: new Date('2027-01-01T00:00:00Z') };

describe('quotePlanChange', () => {
  it('should price the worked example: credit −600, charge 1933, total 1333 over the remaining 20 days', () => {
    expect(quotePlanChange(starter, pro, period, tenDaysUsed)).toEqual({
      effective: 'now',
      direction: 'upgrade',
      reason: 'default',
      resetsPeriod: false,
      credit: 600, // 900 × 20/30
      charge: 1933, // 2900 × 20/30 = 1933.33…, half-up
      total: 1333,
      lines: [
        {
          type: 'credit',
          description: 'Unused time on Starter',
          planId: 'Starter',
          amount: -600,
          periodStart: '2026-04-11T00:00:00.000Z',
          periodEnd: '2026-05-01T00:00:00.000Z',
        },
        {
          type: 'charge',
          description: 'Remaining time on Pro',
          planId: 'Pro',
          amount: 1933,
          periodStart: '2026-04-11T00:00:00.000Z',
          periodEnd: '2026-05-01T00:00:00.000Z',
        },
      ],
      periodStart: tenDaysUsed,
      periodEnd: period.periodEnd,
    });
  });

  it('should schedule a downgrade for the period end without a charge', () => {
    expect(quotePlanChange(pro, starter, period, tenDaysUsed)).toEqual({
      effective: 'period_end',
      direction: 'downgrade',
      reason: 'default',
      appliesAt: period.periodEnd,
    });
  });

  it('should treat a cheaper price per month on another interval as a downgrade', () => {
    // 29000 a year = 2416.67 a month < 2900 a month
    expect(quotePlanChange(pro, proYearly, period, tenDaysUsed)).toEqual({
      effective: 'period_end',
      direction: 'downgrade',
      reason: 'default',
      appliesAt: period.periodEnd,
    });
  });

  it('should credit the unused old plan and charge a full new period from now on an upgrade to another interval', () => {
    const quote = quotePlanChange(starter, proYearly, period, tenDaysUsed);
    expect(quote).toEqual({
      effective: 'now',
      direction: 'upgrade',
      reason: 'default',
      resetsPeriod: true,
      credit: 600,
      charge: 29000,
      total: 28400,
      lines: [
        {
          type: 'credit',
          description: 'Unused time on Starter',
          planId: 'Starter',
          amount: -600,
          periodStart: '2026-04-11T00:00:00.000Z',
          periodEnd: '2026-05-01T00:00:00.000Z',
        },
        {
          type: 'charge',
          description: 'Pro yearly from now',
          planId: 'Pro yearly',
          amount: 29000,
          periodStart: '2026-04-11T00:00:00.000Z',
          periodEnd: '2027-04-11T00:00:00.000Z',
        },
      ],
      periodStart: tenDaysUsed,
      periodEnd: new Date('2027-04-11T00:00:00.000Z'),
    });
  });

  it('should charge the full difference of two yearly plans at the start of the year', () => {
    expect(quotePlanChange(proYearly, businessYearly, year, year.periodStart)).toMatchObject({
      effective: 'now',
      credit: 29000,
      charge: 99000,
      total: 70000,
      resetsPeriod: false,
    });
  });
});

describe('quotePlanChange: when a change takes effect', () => {
  it("should default to now for an upgrade and to the period end for a downgrade (Lago's rule)", () => {
    expect(defaultTiming('upgrade')).toBe('now');
    expect(defaultTiming('downgrade')).toBe('period_end');
  });

  it('should schedule pro-yearly → pro-monthly for the period end while the unused year is worth more than a month (no customer balance)', () => {
    // 2900 a month > 2416.67 a month: an upgrade, but one month in, 11 months of Pro yearly (~26,600) exceed 2900.
    expect(quotePlanChange(proYearly, pro, year, new Date('2026-02-01T00:00:00Z'))).toEqual({
      effective: 'period_end',
      direction: 'upgrade',
      reason: 'credit_exceeds_charge',
      appliesAt: year.periodEnd,
    });
    // Asked for explicitly: the same answer.
    expect(quotePlanChange(proYearly, pro, year, new Date('2026-02-01T00:00:00Z'), 'now')).toMatchObject({
      effective: 'period_end',
      reason: 'credit_exceeds_charge',
    });
  });

  it('should switch pro-yearly → pro-monthly now once the unused credit no longer exceeds a month', () => {
    // 2026-12-05: 27 of 365 days left, 29000 × 27/365 = 2145.2 → 2145 ≤ 2900.
    expect(quotePlanChange(proYearly, pro, year, new Date('2026-12-05T00:00:00Z'))).toMatchObject({
      effective: 'now',
      reason: 'default',
      resetsPeriod: true,
      credit: 2145,
      charge: 2900,
      total: 755,
      periodEnd: new Date('2027-01-05T00:00:00Z'),
    });
  });

  it('should schedule an upgrade for the period end when asked, billing nothing now', () => {
    expect(quotePlanChange(starter, pro, period, tenDaysUsed, 'period_end')).toEqual({
      effective: 'period_end',
      direction: 'upgrade',
      reason: 'requested',
      appliesAt: period.periodEnd,
    });
  });

  it('should schedule an immediate downgrade on the same interval for the period end: its credit exceeds its charge', () => {
    expect(quotePlanChange(pro, starter, period, tenDaysUsed, 'now')).toEqual({
      effective: 'period_end',
      direction: 'downgrade',
      reason: 'credit_exceeds_charge',
      appliesAt: period.periodEnd,
    });
  });

  it('should switch at once, at no charge, to a plan of the same price and interval when asked for now', () => {
    expect(quotePlanChange(pro, proLite, period, tenDaysUsed, 'now')).toMatchObject({
      effective: 'now',
      direction: 'downgrade',
      reason: 'requested',
      credit: 1933,
      charge: 1933,
      total: 0,
    });
  });

  it('should bill an immediate downgrade to a longer interval now when the new period costs more than the unused credit', () => {
    // Pro monthly → Pro yearly is cheaper per month (a downgrade); now: credit 1933 for 20 days, charge a full year.
    expect(quotePlanChange(pro, proYearly, period, tenDaysUsed, 'now')).toMatchObject({
      effective: 'now',
      direction: 'downgrade',
      reason: 'requested',
      resetsPeriod: true,
      credit: 1933,
      charge: 29000,
      total: 27067,
      periodStart: tenDaysUsed,
      periodEnd: new Date('2027-04-11T00:00:00.000Z'),
    });
  });

  it('should keep a downgrade at the period end when asked for period_end explicitly', () => {
    expect(quotePlanChange(pro, starter, period, tenDaysUsed, 'period_end')).toMatchObject({
      effective: 'period_end',
      reason: 'requested',
    });
  });
});
