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
        payment: {
          id: 'pay-1',
          status: 'failed',
          merchantReference: 'inv-1',
          failureCode: 'card_declined',
          failureMessage: 'Declined',
          metadata: { invoicePaymentId: 'ip-1' },
        },
      },
    });
  });

  it.each([
    ['invalid JSON', Buffer.from('{"id":'), 'body is not valid JSON'],
    ['a JSON array', Buffer.from('[]'), 'id and type are required'],
    ['a missing type', event({ type: undefined }), 'id and type are required'],
    ['a fractional sequence', event({ sequence: 1.5 }), 'sequence must be a non-negative integer'],
    ['a negative sequence', event({ sequence: -1 }), 'sequence must be a non-negative integer'],
    ['a missing payment id', event({}, { id: undefined }), 'data.object.id is required'],
  ])('should reject %s', (_label, body, problem) => {
    expect(parsePaymentEvent(body)).toEqual({ ok: false, problem });
  });
});
