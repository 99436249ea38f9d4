import { describeApiKey, digestsEqual, issueUserApiKey, sha256Hex } from './api-key';

describe('API keys', () => {
  it('should hash with SHA-256 as lower-case hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('should issue sk_live_ keys of 32 random bytes in base64url', () => {
    const issued = issueUserApiKey();
    expect(issued.key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(issued.hash).toBe(sha256Hex(issued.key));
    expect(issued.prefix).toBe(issued.key.slice(0, 12));
    expect(issued.last4).toBe(issued.key.slice(-4));
    expect(issueUserApiKey().key).not.toBe(issued.key);
  });

  it('should describe a known key by hash and display prefix without keeping secrets elsewhere', () => {
    expect(describeApiKey('sk_user_demo_alice_0001')).toEqual({
      key: 'sk_user_demo_alice_0001',
      hash: sha256Hex('sk_user_demo_alice_0001'),
      prefix: 'sk_user_demo',
      last4: '0001',
    });
  });

  it('should compare digests in constant time and treat different lengths as unequal', () => {
    const digest = sha256Hex('key');
    expect(digestsEqual(digest, sha256Hex('key'))).toBe(true);
    expect(digestsEqual(digest, sha256Hex('other'))).toBe(false);
    expect(digestsEqual(digest, digest.slice(0, 10))).toBe(false);
  });
});
