import { createHmac, timingSafeEqual } from 'node:crypto';

/** Standard Webhooks signing: `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{raw body}")>`. */
export function signWebhook(secret: string, id: string, timestamp: number, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest('base64');
  return `v1,${mac}`;
}

/** `whsec_<base64>` → key bytes (the prefix is optional). */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

export type SignatureVerification =
  | { readonly valid: true }
  | {
      readonly valid: false;
      readonly reason: 'missing_headers' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'no_matching_signature';
    };

export interface SignedWebhook {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  /** Space-separated `v1,<base64>` entries (several during a secret rotation). */
  readonly signature: string | undefined;
  readonly rawBody: Buffer;
}

/**
 * Checks a delivery against every configured secret over the exact raw bytes received; the
 * timestamp must be within ±toleranceSeconds of now (replay protection).
 */
export function verifyWebhookSignature(
  webhook: SignedWebhook,
  secrets: readonly string[],
  toleranceSeconds: number,
  now: Date,
): SignatureVerification {
  const { id, timestamp, signature, rawBody } = webhook;
  if (!id || !timestamp || !signature) return { valid: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: 'invalid_timestamp' };
  const seconds = Number(timestamp);
  if (Math.abs(now.getTime() / 1000 - seconds) > toleranceSeconds) {
    return { valid: false, reason: 'timestamp_out_of_tolerance' };
  }
  const received = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(signWebhook(secret, id, seconds, rawBody).slice(3), 'base64');
    return received.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  });
  return matches ? { valid: true } : { valid: false, reason: 'no_matching_signature' };
}
