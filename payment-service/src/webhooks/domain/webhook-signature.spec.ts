import { signWebhook, verifyWebhookSignature } from './webhook-signature';

// Test vector published with the Standard Webhooks reference libraries.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CONTENT = { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };
const EXPECTED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('signWebhook', () => {
  it('should match the Standard Webhooks reference vector', () => {
    expect(signWebhook(SECRET, CONTENT)).toBe(EXPECTED);
  });

  it('should reject a secret without the whsec_ prefix', () => {
    expect(() => signWebhook('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', CONTENT)).toThrow(/whsec_/);
  });
});

describe('verifyWebhookSignature', () => {
  it('should accept the signature it produced', () => {
    expect(verifyWebhookSignature(SECRET, CONTENT, signWebhook(SECRET, CONTENT))).toBe(true);
  });

  it('should reject a tampered body, id or timestamp', () => {
    expect(verifyWebhookSignature(SECRET, { ...CONTENT, body: '{"test": 2432232315}' }, EXPECTED)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { ...CONTENT, id: 'msg_other' }, EXPECTED)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { ...CONTENT, timestamp: CONTENT.timestamp + 1 }, EXPECTED)).toBe(false);
  });

  it('should reject a signature made with another secret', () => {
    const other = signWebhook('whsec_ZGVtb19zZWNyZXRfZm9yX2xvY2FsX3dlYmhvb2tz', CONTENT);
    expect(verifyWebhookSignature(SECRET, CONTENT, other)).toBe(false);
  });

  it('should accept the header when any of several signatures matches', () => {
    const header = `v1,bm90IHRoZSByaWdodCBvbmU= v2,${EXPECTED.slice(3)} ${EXPECTED}`;
    expect(verifyWebhookSignature(SECRET, CONTENT, header)).toBe(true);
  });

  it('should reject unknown versions and malformed entries', () => {
    expect(verifyWebhookSignature(SECRET, CONTENT, `v2,${EXPECTED.slice(3)}`)).toBe(false);
    expect(verifyWebhookSignature(SECRET, CONTENT, 'garbage')).toBe(false);
    expect(verifyWebhookSignature(SECRET, CONTENT, '')).toBe(false);
  });
});
