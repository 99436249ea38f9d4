import {
  cancelAtPeriodEndRefusal,
  cancelRefusal,
  GuardedSubscription,
  payInitialInvoiceRefusal,
  paymentMethodChangeRefusal,
  planChangeRefusal,
  resumeRefusal,
  withdrawScheduledChangeRefusal,
} from './subscription-guards';

const NOW = new Date('2026-03-01T00:00:00Z');
const ACTIVE: GuardedSubscription = {
  status: 'active',
  planId: 'plan-a',
  pendingPlanId: null,
  scheduledPlanId: null,
  renewalInvoiceId: null,
  cancelAtPeriodEnd: false,
  incompleteExpiresAt: null,
};
const code = (refusal: { code: string } | null): string | null => refusal?.code ?? null;

describe('subscription guards', () => {
  describe(planChangeRefusal.name, () => {
    it('should allow an active subscription with nothing pending to change to another plan', () => {
      expect(planChangeRefusal(ACTIVE, 'plan-b')).toBeNull();
    });

    it.each([
      [{ status: 'past_due' as const }, 'plan-b', 'subscription_not_active'],
      [{ pendingPlanId: 'plan-c' }, 'plan-b', 'plan_change_pending'],
      [{ renewalInvoiceId: 'inv-1' }, 'plan-b', 'renewal_in_progress'],
      [{}, 'plan-a', 'same_plan'],
    ])('should refuse %o to %s with %s', (changes, planId, expected) => {
      expect(code(planChangeRefusal({ ...ACTIVE, ...changes }, planId))).toBe(expected);
    });
  });

  describe(withdrawScheduledChangeRefusal.name, () => {
    it('should allow withdrawing only a scheduled change', () => {
      expect(withdrawScheduledChangeRefusal({ ...ACTIVE, scheduledPlanId: 'plan-b' })).toBeNull();
      expect(code(withdrawScheduledChangeRefusal(ACTIVE))).toBe('no_scheduled_change');
    });
  });

  describe(cancelRefusal.name, () => {
    it.each(['incomplete', 'active', 'past_due'] as const)('should allow canceling a %s subscription', (status) => {
      expect(cancelRefusal({ ...ACTIVE, status })).toBeNull();
    });

    it.each(['canceled', 'incomplete_expired'] as const)('should refuse canceling a %s subscription', (status) => {
      expect(code(cancelRefusal({ ...ACTIVE, status }))).toBe('invalid_state_transition');
    });
  });

  describe(cancelAtPeriodEndRefusal.name, () => {
    it('should allow it for an active subscription whose renewal is not being collected', () => {
      expect(cancelAtPeriodEndRefusal(ACTIVE)).toBeNull();
    });

    it('should refuse it for a subscription that is not active, or whose renewal is being collected', () => {
      expect(code(cancelAtPeriodEndRefusal({ ...ACTIVE, status: 'past_due' }))).toBe('subscription_not_active');
      expect(code(cancelAtPeriodEndRefusal({ ...ACTIVE, renewalInvoiceId: 'inv-1' }))).toBe('renewal_in_progress');
    });
  });

  describe(resumeRefusal.name, () => {
    it('should allow resuming only an active subscription set to cancel at period end', () => {
      expect(resumeRefusal({ ...ACTIVE, cancelAtPeriodEnd: true })).toBeNull();
      expect(code(resumeRefusal(ACTIVE))).toBe('no_pending_cancellation');
      expect(code(resumeRefusal({ ...ACTIVE, status: 'canceled', cancelAtPeriodEnd: true }))).toBe(
        'no_pending_cancellation',
      );
    });
  });

  describe(paymentMethodChangeRefusal.name, () => {
    it('should allow it while live and refuse it once ended', () => {
      expect(paymentMethodChangeRefusal({ ...ACTIVE, status: 'past_due' })).toBeNull();
      expect(code(paymentMethodChangeRefusal({ ...ACTIVE, status: 'canceled' }))).toBe('subscription_ended');
    });
  });

  describe(payInitialInvoiceRefusal.name, () => {
    const incomplete: GuardedSubscription = {
      ...ACTIVE,
      status: 'incomplete',
      incompleteExpiresAt: new Date(NOW.getTime() + 1000),
    };

    it('should allow paying an incomplete subscription inside its window', () => {
      expect(payInitialInvoiceRefusal(incomplete, NOW)).toBeNull();
    });

    it('should refuse it for a subscription that is not incomplete, or once the window ended', () => {
      expect(code(payInitialInvoiceRefusal(ACTIVE, NOW))).toBe('subscription_not_incomplete');
      expect(code(payInitialInvoiceRefusal({ ...incomplete, incompleteExpiresAt: NOW }, NOW))).toBe(
        'incomplete_window_ended',
      );
    });
  });
});
