import { decideAttempt, MAX_PROCESSING_ATTEMPTS, shouldRetry } from './payment-simulation';

const decide = (paymentMethod: string, attemptNumber = 1, random = () => 0.5, successRate = 0.8) =>
  decideAttempt({ paymentMethod, attemptNumber, successRate, random });

describe('decideAttempt', () => {
  it.each(['pm_card_visa', 'pm_card_mastercard', 'pm_card_refund_fail'])(
    'should succeed for %s whatever the random source says',
    (method) => {
      expect(decide(method, 1, () => 0.999)).toEqual({ outcome: 'succeeded' });
    },
  );

  it.each([
    ['pm_card_declined', 'card_declined'],
    ['pm_card_insufficient_funds', 'insufficient_funds'],
    ['pm_card_expired', 'expired_card'],
  ])('should fail %s with %s, not retryable', (method, failureCode) => {
    expect(decide(method, 1, () => 0)).toEqual({
      outcome: 'failed',
      failureCode,
      failureMessage: expect.any(String),
      retryable: false,
    });
  });

  it('should fail the first processing_error attempt as retryable and succeed the second', () => {
    expect(decide('pm_card_processing_error', 1)).toMatchObject({
      outcome: 'failed',
      failureCode: 'processing_error',
      retryable: true,
    });
    expect(decide('pm_card_processing_error', 2)).toEqual({ outcome: 'succeeded' });
  });

  it('should succeed other methods when the draw is below the success rate', () => {
    expect(decide('pm_card_amex', 1, () => 0.79, 0.8)).toEqual({ outcome: 'succeeded' });
  });

  it('should decline other methods when the draw reaches the success rate', () => {
    expect(decide('pm_card_amex', 1, () => 0.8, 0.8)).toMatchObject({
      outcome: 'failed',
      failureCode: 'card_declined',
    });
  });

  it('should always decline other methods when the success rate is 0', () => {
    expect(decide('pm_x', 1, () => 0, 0)).toMatchObject({ outcome: 'failed' });
  });
});

describe('shouldRetry', () => {
  const retryable = decide('pm_card_processing_error', 1);

  it('should retry a retryable failure before the last attempt', () => {
    expect(shouldRetry(retryable, 1)).toBe(true);
  });

  it('should not retry on the last allowed attempt', () => {
    expect(shouldRetry(retryable, MAX_PROCESSING_ATTEMPTS)).toBe(false);
  });

  it('should not retry a success or a final decline', () => {
    expect(shouldRetry({ outcome: 'succeeded' }, 1)).toBe(false);
    expect(shouldRetry(decide('pm_card_declined'), 1)).toBe(false);
  });
});
