import { decideRefundAttempt } from './refund-simulation';

describe('decideRefundAttempt', () => {
  it.each(['pm_card_visa', 'pm_card_mastercard', 'pm_card_processing_error', 'pm_card_amex'])(
    'should succeed refunds of a %s payment',
    (paymentMethod) => {
      expect(decideRefundAttempt({ paymentMethod })).toEqual({ outcome: 'succeeded' });
    },
  );

  it('should fail refunds of a pm_card_refund_fail payment with refund_failed', () => {
    expect(decideRefundAttempt({ paymentMethod: 'pm_card_refund_fail' })).toEqual({
      outcome: 'failed',
      failureCode: 'refund_failed',
      failureMessage: expect.any(String),
    });
  });
});
