import { parsePaymentEvent } from './payment-event';

const event = (overrides: Record<string, unknown> = {}, object: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      id: 'evt-1',
      type: 'payment.failed',
      sequence: 2,
      data: {
        object: {
          id: 'pay-1',
          status: 'failed',
          amount: 2900,
          currency: 'USD',
          merchantReference: 'inv-1',
          failureCode: 'card_declined',
          failureMessage: 'Declined',
          metadata: { invoicePaymentId: 'ip-1', ignored: 42 },
          ...object,
        },
      },
      ...overrides,
    }),
  );

describe('parsePaymentEvent', () => {
  it('should extract what the receiver needs from a contract-shaped event', () => {
    expect(parsePaymentEvent(event())).toEqual({
      ok: true,
      event: {
        id: 'evt-1',
        type: 'payment.failed',
        sequence: 2,
        paymentId: 'pay-1',
        refund: null,
        payment: {
          id: 'pay-1',
          status: 'failed',
          amount: 2900,
          currency: 'USD',
          merchantReference: 'inv-1',
          failureCode: 'card_declined',
          failureMessage: 'Declined',
          metadata: { invoicePaymentId: 'ip-1' },
        },
      },
    });
  });

  it('should read a refund event as the refund of its payment', () => {
    const body = event(
      { type: 'refund.succeeded', sequence: 3 },
      { id: 'ref-1', paymentId: 'pay-1', status: 'succeeded', failureCode: null, metadata: { invoiceRefundId: 'r-1' } },
    );
    expect(parsePaymentEvent(body)).toEqual({
      ok: true,
      event: {
        id: 'evt-1',
        type: 'refund.succeeded',
        sequence: 3,
        paymentId: 'pay-1',
        payment: null,
        refund: {
          id: 'ref-1',
          status: 'succeeded',
          failureCode: null,
          failureMessage: 'Declined',
          metadata: { invoiceRefundId: 'r-1' },
        },
      },
    });
  });

  it('should leave an amount that is not a safe integer out, so that it can never match an obligation', () => {
    const parsed = parsePaymentEvent(event({}, { amount: 1e300 }));
    expect(parsed.ok && parsed.event.payment?.amount).toBeNull();
  });

  it('should accept the largest 32-bit sequence', () => {
    expect(parsePaymentEvent(event({ sequence: 2_147_483_647 })).ok).toBe(true);
  });

  it.each([
    [
      'a refund event without its payment id',
      event({ type: 'refund.failed' }, { id: 'ref-1' }),
      'data.object.paymentId is required for a refund event',
    ],
    ['invalid JSON', Buffer.from('{"id":'), 'body is not valid JSON'],
    ['a JSON array', Buffer.from('[]'), 'id and type are required'],
    ['a missing type', event({ type: undefined }), 'id and type are required'],
    ['a fractional sequence', event({ sequence: 1.5 }), 'sequence must be an integer from 0 to 2147483647'],
    ['a negative sequence', event({ sequence: -1 }), 'sequence must be an integer from 0 to 2147483647'],
    [
      'a sequence past a 32-bit integer',
      event({ sequence: 3_000_000_000 }),
      'sequence must be an integer from 0 to 2147483647',
    ],
    ['a sequence of 1e300', event({ sequence: 1e300 }), 'sequence must be an integer from 0 to 2147483647'],
    ['a missing payment id', event({}, { id: undefined }), 'data.object.id is required'],
    [
      'a payment id longer than 255 characters',
      event({}, { id: 'p'.repeat(256) }),
      'id, type, data.object.id and paymentId must be at most 255 characters',
    ],
  ])('should reject %s', (_label, body, problem) => {
    expect(parsePaymentEvent(body)).toEqual({ ok: false, problem });
  });
});
