import { canonicalJson, hashRequestBody } from './request-hash';

describe('canonicalJson', () => {
  it('should sort keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('should drop undefined properties like JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });
});

describe('hashRequestBody', () => {
  const body = { amount: 1999, currency: 'USD', metadata: { invoice: 'inv_1', plan: 'pro' } };

  it('should give the same hash whatever the key order', () => {
    const reordered = { metadata: { plan: 'pro', invoice: 'inv_1' }, currency: 'USD', amount: 1999 };
    expect(hashRequestBody(reordered)).toBe(hashRequestBody(body));
  });

  it('should give a different hash when any value changes', () => {
    expect(hashRequestBody({ ...body, amount: 2000 })).not.toBe(hashRequestBody(body));
    expect(hashRequestBody({ ...body, metadata: { invoice: 'inv_2', plan: 'pro' } })).not.toBe(hashRequestBody(body));
  });

  it('should distinguish a string from a number', () => {
    expect(hashRequestBody({ amount: '1999' })).not.toBe(hashRequestBody({ amount: 1999 }));
  });

  it('should return a SHA-256 hex digest', () => {
    expect(hashRequestBody(undefined)).toMatch(/^[0-9a-f]{64}$/);
  });
});
