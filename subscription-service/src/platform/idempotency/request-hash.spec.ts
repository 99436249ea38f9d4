import { canonicalJson, idempotencyRequestHash } from './request-hash';

describe('idempotency request hashing', () => {
  it('should serialise objects with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('should drop undefined properties like JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('should hash equal bodies equally whatever their key order', () => {
    expect(idempotencyRequestHash({ planId: 'p', paymentMethod: 'pm_card_visa' })).toBe(
      idempotencyRequestHash({ paymentMethod: 'pm_card_visa', planId: 'p' }),
    );
  });

  it('should hash different bodies differently', () => {
    expect(idempotencyRequestHash({ planId: 'p1' })).not.toBe(idempotencyRequestHash({ planId: 'p2' }));
    expect(idempotencyRequestHash({ amount: 1 })).not.toBe(idempotencyRequestHash({ amount: '1' }));
  });

  it('should hash the same body on different resources differently', () => {
    expect(idempotencyRequestHash({ planId: 'p' }, { id: 'a' })).not.toBe(
      idempotencyRequestHash({ planId: 'p' }, { id: 'b' }),
    );
  });

  it('should produce a 64-character hex SHA-256 digest and treat a missing body as null', () => {
    expect(idempotencyRequestHash(undefined)).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyRequestHash(undefined)).toBe(idempotencyRequestHash(null));
  });
});
