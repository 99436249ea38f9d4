import { CreditExceedsChargeError, quotePlanChange } from './plan-change';
import { PricedPlan } from './proration';

const plan = (id: string, amount: number, interval: 'month' | 'year' = 'month'): PricedPlan => ({ id, name: id, amount, interval, intervalCount: 1 });
const starter = plan('Starter', 900);
const pro = plan('Pro', 2900);
const proYearly = plan('Pro yearly', 29000, 'year');
const businessYearly = plan('Business yearly', 99000, 'year');

// The worked example of the README: a 30-day period, 10 days used, Starter (900) → Pro (2900).
const period = { periodStart: new Date('2026-04-01T00:00:00.000Z'), periodEnd: new Date('2026-05-01T00:00:00.000Z') };
const tenDaysUsed = new Date('2026-04-11T00:00:00.000Z');

describe('quotePlanChange', () => {
  it('should price the worked example: credit −600, charge 1933, total 1333 over the remaining 20 days', () => {
    expect(quotePlanChange(starter, pro, period, tenDaysUsed)).toEqual({
      direction: 'upgrade',
      resetsPeriod: false,
      credit: 600, // 900 × 20/30
      charge: 1933, // 2900 × 20/30 = 1933.33…, half-up
      total: 1333,
      lines: [
        { type: 'credit', description: 'Unused time on Starter', planId: 'Starter', amount: -600, periodStart: '2026-04-11T00:00:00.000Z', periodEnd: '2026-05-01T00:00:00.000Z' },
        { type: 'charge', description: 'Remaining time on Pro', planId: 'Pro', amount: 1933, periodStart: '2026-04-11T00:00:00.000Z', periodEnd: '2026-05-01T00:00:00.000Z' },
      ],
      periodStart: tenDaysUsed,
      periodEnd: period.periodEnd,
    });
  });

  it('should schedule a downgrade for the period end without a charge', () => {
    expect(quotePlanChange(pro, starter, period, tenDaysUsed)).toEqual({ direction: 'downgrade', appliesAt: period.periodEnd });
  });

  it('should treat a cheaper price per month on another interval as a downgrade', () => {
    // 29000 a year = 2416.67 a month < 2900 a month
    expect(quotePlanChange(pro, proYearly, period, tenDaysUsed)).toEqual({ direction: 'downgrade', appliesAt: period.periodEnd });
  });

  it('should credit the unused old plan and charge a full new period from now on an upgrade to another interval', () => {
    const quote = quotePlanChange(starter, proYearly, period, tenDaysUsed);
    expect(quote).toEqual({
      direction: 'upgrade',
      resetsPeriod: true,
      credit: 600,
      charge: 29000,
      total: 28400,
      lines: [
        { type: 'credit', description: 'Unused time on Starter', planId: 'Starter', amount: -600, periodStart: '2026-04-11T00:00:00.000Z', periodEnd: '2026-05-01T00:00:00.000Z' },
        { type: 'charge', description: 'Pro yearly from now', planId: 'Pro yearly', amount: 29000, periodStart: '2026-04-11T00:00:00.000Z', periodEnd: '2027-04-11T00:00:00.000Z' },
      ],
      periodStart: tenDaysUsed,
      periodEnd: new Date('2027-04-11T00:00:00.000Z'),
    });
  });

  it('should refuse a year → month upgrade whose unused credit exceeds the new price', () => {
    const year = { periodStart: new Date('2026-01-01T00:00:00Z'), periodEnd: new Date('2027-01-01T00:00:00Z') };
    const businessMonthly = plan('Business', 9900);
    // Pro yearly (2416.67/month) → Business monthly (9900/month) is an upgrade, but 11 months of Pro yearly are worth ~26,600.
    expect(() => quotePlanChange(proYearly, businessMonthly, year, new Date('2026-02-01T00:00:00Z'))).toThrow(CreditExceedsChargeError);
    // Near the end of the year the credit is small and the switch goes through.
    expect(quotePlanChange(proYearly, businessMonthly, year, new Date('2026-12-01T00:00:00Z'))).toMatchObject({ direction: 'upgrade', resetsPeriod: true, charge: 9900 });
  });

  it('should charge the full difference of two yearly plans at the start of the year', () => {
    const year = { periodStart: new Date('2026-01-01T00:00:00Z'), periodEnd: new Date('2027-01-01T00:00:00Z') };
    expect(quotePlanChange(proYearly, businessYearly, year, year.periodStart)).toMatchObject({ credit: 29000, charge: 99000, total: 70000, resetsPeriod: false });
  });
});
