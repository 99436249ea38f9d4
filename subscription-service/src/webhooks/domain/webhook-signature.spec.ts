import { createHmac } from 'node:crypto';
import { checkWebhookHeaders, secretKey, signWebhook, verifyWebhookSignature } from './webhook-signature';

const SECRET = 'whsec_' + Buffer.from('current-secret').toString('base64');
const OLD_SECRET = 'whsec_' + Buffer.from('previous-secret').toString('base64');
const OTHER_SECRET = 'whsec_' + Buffer.from('somebody-else').toString('base64');
const NOW = new Date('2026-03-10T12:00:00Z');
const TS = Math.floor(NOW.getTime() / 1000);
const BODY = Buffer.from('{"id":"evt_1","type":"payment.succeeded","sequence":1}');
const ID = 'evt_1';

const verify = (
  overrides: Partial<{ id: string; timestamp: string; signature: string; rawBody: Buffer }>,
  secrets = [SECRET],
) =>
  verifyWebhookSignature(
    { id: ID, timestamp: String(TS), signature: signWebhook(SECRET, ID, TS, BODY), rawBody: BODY, ...overrides },
    secrets,
    300,
    NOW,
  );

// The test vector of the Standard Webhooks reference libraries (github.com/standard-webhooks/standard-webhooks,
// libraries/*/ tests, e.g. libraries/go/webhook_test.go TestWebhookSign); payment-service's signer is pinned to it too.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('webhook signatures: Standard Webhooks test vector', () => {
  it('should sign the published vector to its published signature', () => {
    expect(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('should accept the published signature at its timestamp and refuse it with a changed body', () => {
    const headers = { id: VECTOR.id, timestamp: String(VECTOR.timestamp), signature: VECTOR.signature };
    const at = new Date(VECTOR.timestamp * 1000);
    expect(verifyWebhookSignature({ ...headers, rawBody: Buffer.from(VECTOR.body) }, [VECTOR.secret], 300, at)).toEqual(
      { valid: true },
    );
    expect(
      verifyWebhookSignature({ ...headers, rawBody: Buffer.from('{"test": 2432232315}') }, [VECTOR.secret], 300, at),
    ).toMatchObject({ valid: false });
  });
});

describe('webhook signatures', () => {
  it('should sign as base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" with the decoded whsec key', () => {
    const expected = createHmac('sha256', Buffer.from('current-secret'))
      .update(`${ID}.${TS}.${BODY.toString()}`)
      .digest('base64');
    expect(signWebhook(SECRET, ID, TS, BODY)).toBe(`v1,${expected}`);
    expect(secretKey(SECRET).toString()).toBe('current-secret');
  });

  it('should accept a valid signature', () => {
    expect(verify({})).toEqual({ valid: true });
  });

  it('should reject a tampered body, even one that is the same JSON re-serialised', () => {
    expect(verify({ rawBody: Buffer.from('{"id":"evt_1","type":"payment.failed","sequence":1}') })).toEqual({
      valid: false,
      reason: 'no_matching_signature',
    });
    expect(
      verify({ rawBody: Buffer.from('{"id": "evt_1", "type": "payment.succeeded", "sequence": 1}') }),
    ).toMatchObject({ valid: false });
  });

  it('should reject a signature made with another secret', () => {
    expect(verify({ signature: signWebhook(OTHER_SECRET, ID, TS, BODY) })).toEqual({
      valid: false,
      reason: 'no_matching_signature',
    });
  });

  it('should reject a signature for another webhook id', () => {
    expect(verify({ id: 'evt_2' })).toEqual({ valid: false, reason: 'no_matching_signature' });
  });

  it('should accept any configured secret during a rotation', () => {
    expect(verify({ signature: signWebhook(OLD_SECRET, ID, TS, BODY) }, [SECRET, OLD_SECRET])).toEqual({ valid: true });
    expect(verify({ signature: signWebhook(OLD_SECRET, ID, TS, BODY) }, [SECRET])).toMatchObject({ valid: false });
  });

  it('should accept a header carrying several signatures when one matches', () => {
    const signature = `v1,${Buffer.from('garbage').toString('base64')} ${signWebhook(SECRET, ID, TS, BODY)}`;
    expect(verify({ signature })).toEqual({ valid: true });
  });

  it('should ignore signatures of unknown versions', () => {
    const signature = signWebhook(SECRET, ID, TS, BODY).replace('v1,', 'v2,');
    expect(verify({ signature })).toEqual({ valid: false, reason: 'no_matching_signature' });
  });

  it.each([
    ['stale', TS - 301],
    ['future', TS + 301],
  ])('should reject a %s timestamp outside the tolerance', (_label, timestamp) => {
    const signature = signWebhook(SECRET, ID, timestamp, BODY);
    expect(verify({ timestamp: String(timestamp), signature })).toEqual({
      valid: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('should accept a timestamp at the edge of the tolerance', () => {
    const timestamp = TS - 300;
    expect(verify({ timestamp: String(timestamp), signature: signWebhook(SECRET, ID, timestamp, BODY) })).toEqual({
      valid: true,
    });
  });

  it('should reject missing headers and a non-numeric timestamp', () => {
    expect(verify({ signature: '' })).toEqual({ valid: false, reason: 'missing_headers' });
    expect(verify({ id: '' })).toEqual({ valid: false, reason: 'missing_headers' });
    expect(verify({ timestamp: '12abc' })).toEqual({ valid: false, reason: 'invalid_timestamp' });
  });
});

describe(checkWebhookHeaders.name, () => {
  const valid = { id: VECTOR.id, timestamp: String(VECTOR.timestamp), signature: VECTOR.signature };

  it('should accept the Standard Webhooks reference headers, several signatures and UUID ids', () => {
    expect(checkWebhookHeaders(valid)).toEqual({ ok: true });
    expect(checkWebhookHeaders({ ...valid, signature: `${VECTOR.signature} v1a,${'A'.repeat(86)}==` })).toEqual({
      ok: true,
    });
    expect(checkWebhookHeaders({ ...valid, id: '7d1f2c9a-3b4e-4f5a-8c6d-0e1f2a3b4c5d' })).toEqual({ ok: true });
  });

  it('should name every missing header, an empty one included', () => {
    expect(checkWebhookHeaders({ id: undefined, timestamp: '', signature: undefined })).toEqual({
      ok: false,
      missing: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      malformed: [],
    });
  });

  it.each([
    ['an id over 256 characters', { id: 'a'.repeat(257) }, 'webhook-id'],
    ['an id with a space', { id: 'msg 1' }, 'webhook-id'],
    ['an id with a comma (two ids)', { id: 'msg_1, msg_1' }, 'webhook-id'],
    ['a timestamp with letters', { timestamp: '12abc' }, 'webhook-timestamp'],
    ['a timestamp of 13 digits', { timestamp: '1'.repeat(13) }, 'webhook-timestamp'],
    [
      'a signature without a version',
      { signature: 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
      'webhook-signature',
    ],
    ['a signature that is not base64', { signature: 'v1,not base64!' }, 'webhook-signature'],
    ['two spaces between signatures', { signature: `${VECTOR.signature}  ${VECTOR.signature}` }, 'webhook-signature'],
    ['signatures over 1 KiB', { signature: Array(24).fill(VECTOR.signature).join(' ') }, 'webhook-signature'],
  ])('should refuse %s', (_label, override, field) => {
    expect(checkWebhookHeaders({ ...valid, ...override })).toEqual({
      ok: false,
      missing: [],
      malformed: [expect.objectContaining({ field })],
    });
  });
});
