import { canTransition, entitlement, isLive, SUBSCRIPTION_STATUSES, SubscriptionStatus } from './subscription-status';

const LEGAL: ReadonlyArray<[SubscriptionStatus, SubscriptionStatus]> = [
  ['incomplete', 'active'],
  ['incomplete', 'incomplete_expired'],
  ['incomplete', 'canceled'],
  ['active', 'past_due'],
  ['active', 'canceled'],
  ['past_due', 'active'],
  ['past_due', 'canceled'],
];
const isLegal = (from: SubscriptionStatus, to: SubscriptionStatus): boolean =>
  LEGAL.some(([f, t]) => f === from && t === to);
const ALL_PAIRS = SUBSCRIPTION_STATUSES.flatMap((from) => SUBSCRIPTION_STATUSES.map((to) => [from, to] as const));
const ILLEGAL = ALL_PAIRS.filter(([from, to]) => !isLegal(from, to));

describe('subscription state machine', () => {
  it('should cover all 25 status pairs as 7 legal and 18 illegal transitions', () => {
    expect(LEGAL).toHaveLength(7);
    expect(ILLEGAL).toHaveLength(18);
  });

  it.each(LEGAL)('should allow %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each(ILLEGAL)('should reject %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it.each([
    ['incomplete', true],
    ['active', true],
    ['past_due', true],
    ['canceled', false],
    ['incomplete_expired', false],
  ] as const)('should treat %s as live=%s', (status, live) => {
    expect(isLive(status)).toBe(live);
  });
});

describe('entitlement', () => {
  const periodEnd = new Date('2026-04-10T12:00:00Z');
  const during = new Date('2026-03-20T00:00:00Z');
  const graceMs = 5 * 86_400_000; // the default dunning window: last retry 5 days after the due date
  const graceEnd = new Date('2026-04-15T12:00:00Z');

  it.each([
    ['active', true],
    ['past_due', true],
    ['incomplete', false],
    ['canceled', false],
    ['incomplete_expired', false],
  ] as const)('should give %s access=%s during the period', (status, hasAccess) => {
    const until = status === 'past_due' ? graceEnd : periodEnd;
    expect(entitlement({ status, currentPeriodEnd: periodEnd, renewalInvoiceId: null }, during, graceMs)).toEqual({
      hasAccess,
      entitledUntil: hasAccess ? until : null,
    });
  });

  it('should end access at the period end for an active subscription with no renewal being collected', () => {
    expect(
      entitlement({ status: 'active', currentPeriodEnd: periodEnd, renewalInvoiceId: null }, periodEnd, graceMs),
    ).toEqual({ hasAccess: false, entitledUntil: null });
  });

  it('should keep access after the period end while the renewal is being collected, until the last dunning retry', () => {
    const collecting = { status: 'active' as const, currentPeriodEnd: periodEnd, renewalInvoiceId: 'renewal-invoice' };
    const justAfter = new Date(periodEnd.getTime() + 1000);
    expect(entitlement(collecting, justAfter, graceMs)).toEqual({ hasAccess: true, entitledUntil: graceEnd });
    expect(entitlement({ ...collecting, status: 'past_due' }, new Date(graceEnd.getTime() - 1), graceMs)).toEqual({
      hasAccess: true,
      entitledUntil: graceEnd,
    });
    expect(entitlement({ ...collecting, status: 'past_due' }, graceEnd, graceMs)).toEqual({
      hasAccess: false,
      entitledUntil: null,
    });
  });
});
