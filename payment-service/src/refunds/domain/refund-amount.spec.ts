import { decideRefundAmount, refundableAmount } from './refund-amount';

describe('refundableAmount', () => {
  it('should subtract pending and succeeded refunds from the payment amount', () => {
    expect(refundableAmount({ paymentAmount: 2900, reservedAmount: 900 })).toBe(2000);
  });

  it('should never be negative', () => {
    expect(refundableAmount({ paymentAmount: 100, reservedAmount: 150 })).toBe(0);
  });
});

describe('decideRefundAmount', () => {
  const succeeded = (reservedAmount = 0) => ({
    paymentStatus: 'succeeded' as const,
    paymentAmount: 2900,
    reservedAmount,
  });

  it('should default to everything still refundable', () => {
    expect(decideRefundAmount(succeeded(900), undefined)).toEqual({ ok: true, amount: 2000 });
  });

  it('should accept a partial amount up to what is left, inclusive', () => {
    expect(decideRefundAmount(succeeded(900), 500)).toEqual({ ok: true, amount: 500 });
    expect(decideRefundAmount(succeeded(900), 2000)).toEqual({ ok: true, amount: 2000 });
  });

  it('should refuse one minor unit more than is left', () => {
    expect(decideRefundAmount(succeeded(900), 2001)).toEqual({
      ok: false,
      code: 'refund_exceeds_refundable',
      requested: 2001,
      refundable: 2000,
    });
  });

  it('should refuse a default refund when nothing is left', () => {
    expect(decideRefundAmount(succeeded(2900), undefined)).toMatchObject({
      ok: false,
      code: 'refund_exceeds_refundable',
      refundable: 0,
    });
  });

  it.each(['processing', 'failed'] as const)('should refuse to refund a %s payment', (paymentStatus) => {
    expect(decideRefundAmount({ paymentStatus, paymentAmount: 2900, reservedAmount: 0 }, 100)).toEqual({
      ok: false,
      code: 'payment_not_refundable',
      paymentStatus,
    });
  });
});
