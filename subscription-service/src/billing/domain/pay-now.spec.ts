import { PayableInvoice, PayingSubscription, payNowDecision } from './pay-now';

const now = new Date('2026-04-11T12:00:00.000Z');
const incomplete: PayingSubscription = {
  status: 'incomplete',
  incompleteExpiresAt: new Date('2026-04-12T11:00:00.000Z'),
};
const pastDue: PayingSubscription = { status: 'past_due', incompleteExpiresAt: null };
const active: PayingSubscription = { status: 'active', incompleteExpiresAt: null };
const invoice = (kind: PayableInvoice['kind'], status: PayableInvoice['status']): PayableInvoice => ({ kind, status });

describe('payNowDecision', () => {
  it('should pay an open renewal invoice of a past_due subscription without reopening it', () => {
    expect(payNowDecision(invoice('renewal', 'open'), pastDue, 0, now)).toEqual({ kind: 'pay', reopen: false });
  });

  it('should pay an open proration invoice of an active subscription', () => {
    expect(payNowDecision(invoice('proration', 'open'), active, 0, now)).toEqual({ kind: 'pay', reopen: false });
  });

  it('should reopen a failed initial invoice of an incomplete subscription inside its window', () => {
    expect(payNowDecision(invoice('initial', 'failed'), incomplete, 0, now)).toEqual({ kind: 'pay', reopen: true });
  });

  it('should refuse while an attempt is in flight, whatever else holds', () => {
    for (const target of [invoice('renewal', 'open'), invoice('initial', 'failed')]) {
      expect(payNowDecision(target, target.kind === 'initial' ? incomplete : pastDue, 1, now)).toMatchObject({
        kind: 'refuse',
        code: 'payment_in_progress',
      });
    }
  });

  it.each([
    ['a paid invoice', invoice('renewal', 'paid'), active],
    ['a void invoice', invoice('renewal', 'void'), { status: 'canceled', incompleteExpiresAt: null }],
    ['a failed proration invoice (the upgrade was dropped)', invoice('proration', 'failed'), active],
    ['a failed renewal invoice', invoice('renewal', 'failed'), active],
    ['a failed initial invoice of a subscription that is no longer incomplete', invoice('initial', 'failed'), active],
    [
      'an open invoice of a canceled subscription',
      invoice('renewal', 'open'),
      { status: 'canceled', incompleteExpiresAt: null },
    ],
    [
      'a failed initial invoice once the incomplete window ended',
      invoice('initial', 'failed'),
      { status: 'incomplete', incompleteExpiresAt: now },
    ],
  ] as const)('should refuse %s with invoice_not_payable', (_name, target, subscription) => {
    expect(payNowDecision(target, subscription, 0, now)).toMatchObject({
      kind: 'refuse',
      code: 'invoice_not_payable',
    });
  });

  it('should call a settled invoice not payable even with an attempt still in flight', () => {
    expect(payNowDecision(invoice('renewal', 'paid'), active, 1, now)).toMatchObject({ code: 'invoice_not_payable' });
  });
});
