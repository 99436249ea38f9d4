import { BillingState, dueBillingWork } from './due-work';

const periodEnd = new Date('2026-04-10T12:00:00.000Z');
const before = new Date(periodEnd.getTime() - 1);
const active: BillingState = {
  status: 'active',
  currentPeriodEnd: periodEnd,
  cancelAtPeriodEnd: false,
  incompleteExpiresAt: null,
  pendingInvoiceId: null,
  renewalInvoiceId: null,
  nextPaymentRetryAt: null,
};

describe('dueBillingWork', () => {
  it('should renew an active subscription at (not before) its period end', () => {
    expect(dueBillingWork(active, before)).toBeNull();
    expect(dueBillingWork(active, periodEnd)).toBe('renew');
  });

  it('should not renew twice while the renewal invoice is being collected', () => {
    expect(dueBillingWork({ ...active, renewalInvoiceId: 'inv' }, periodEnd)).toBeNull();
  });

  it('should wait for an upgrade whose payment is in flight before renewing', () => {
    expect(dueBillingWork({ ...active, pendingInvoiceId: 'inv' }, periodEnd)).toBeNull();
  });

  it('should cancel instead of renewing when set to cancel at period end', () => {
    expect(dueBillingWork({ ...active, cancelAtPeriodEnd: true }, before)).toBeNull();
    expect(dueBillingWork({ ...active, cancelAtPeriodEnd: true }, periodEnd)).toBe('cancel_at_period_end');
    expect(dueBillingWork({ ...active, cancelAtPeriodEnd: true, pendingInvoiceId: 'inv' }, periodEnd)).toBe(
      'cancel_at_period_end',
    );
  });

  it('should retry a past_due renewal when its retry is due, and not while one is in flight', () => {
    const retryAt = new Date('2026-04-11T12:00:00.000Z');
    const pastDue: BillingState = {
      ...active,
      status: 'past_due',
      renewalInvoiceId: 'inv',
      nextPaymentRetryAt: retryAt,
    };
    expect(dueBillingWork(pastDue, new Date(retryAt.getTime() - 1))).toBeNull();
    expect(dueBillingWork(pastDue, retryAt)).toBe('retry_renewal_payment');
    expect(dueBillingWork({ ...pastDue, nextPaymentRetryAt: null }, retryAt)).toBeNull();
  });

  it('should expire an incomplete subscription at the end of its window', () => {
    const expiresAt = new Date('2026-03-11T11:00:00.000Z');
    const incomplete: BillingState = { ...active, status: 'incomplete', incompleteExpiresAt: expiresAt };
    expect(dueBillingWork(incomplete, new Date(expiresAt.getTime() - 1))).toBeNull();
    expect(dueBillingWork(incomplete, expiresAt)).toBe('expire_incomplete');
  });

  it.each(['canceled', 'incomplete_expired'] as const)('should never have work for a %s subscription', (status) => {
    expect(
      dueBillingWork({ ...active, status, incompleteExpiresAt: before }, new Date('2030-01-01T00:00:00Z')),
    ).toBeNull();
  });
});
