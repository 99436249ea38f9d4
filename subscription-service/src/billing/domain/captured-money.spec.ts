import { dispositionOfCapturedMoney } from './captured-money';

const now = new Date('2026-12-01T12:00:00Z');
const incomplete = { status: 'incomplete', incompleteExpiresAt: new Date('2026-12-01T20:00:00Z') };

describe('dispositionOfCapturedMoney', () => {
  it('should settle an open invoice of any kind', () => {
    for (const kind of ['initial', 'proration', 'renewal'] as const) {
      expect(
        dispositionOfCapturedMoney({ status: 'open', kind }, { status: 'active', incompleteExpiresAt: null }, now),
      ).toEqual({ kind: 'settle' });
    }
  });

  it('should refund money captured for a void invoice (the subscription was canceled before the charge succeeded)', () => {
    expect(
      dispositionOfCapturedMoney(
        { status: 'void', kind: 'initial' },
        { status: 'canceled', incompleteExpiresAt: null },
        now,
      ),
    ).toEqual({
      kind: 'refund',
      reason: 'no_obligation',
      explanation: 'invoice_void',
    });
  });

  it('should refund a second payment of an invoice another payment already paid, as a duplicate', () => {
    expect(
      dispositionOfCapturedMoney(
        { status: 'paid', kind: 'renewal' },
        { status: 'active', incompleteExpiresAt: null },
        now,
      ),
    ).toEqual({
      kind: 'refund',
      reason: 'duplicate',
      explanation: 'invoice_paid_by_another_payment',
    });
  });

  it('should revive a failed initial invoice while its subscription is incomplete and inside its window', () => {
    expect(dispositionOfCapturedMoney({ status: 'failed', kind: 'initial' }, incomplete, now)).toEqual({
      kind: 'revive',
    });
  });

  it('should refund a late success on a failed initial invoice once the window has ended or the subscription moved on', () => {
    const expired = { ...incomplete, incompleteExpiresAt: now };
    expect(dispositionOfCapturedMoney({ status: 'failed', kind: 'initial' }, expired, now)).toMatchObject({
      kind: 'refund',
      explanation: 'invoice_failed',
    });
    expect(
      dispositionOfCapturedMoney(
        { status: 'failed', kind: 'initial' },
        { status: 'canceled', incompleteExpiresAt: null },
        now,
      ),
    ).toMatchObject({
      kind: 'refund',
    });
  });

  it('should refund a late success on a failed renewal (dunning exhausted) or proration (upgrade dropped)', () => {
    for (const kind of ['renewal', 'proration'] as const) {
      expect(
        dispositionOfCapturedMoney({ status: 'failed', kind }, { status: 'active', incompleteExpiresAt: null }, now),
      ).toEqual({
        kind: 'refund',
        reason: 'no_obligation',
        explanation: 'invoice_failed',
      });
    }
  });
});
