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

/** The Standard Webhooks request headers, as received (undefined when absent). */
export interface WebhookHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

export interface SignedWebhook extends WebhookHeaders {
  /** The exact bytes received; `signature` holds space-separated `v1,<base64>` entries (several during a rotation). */
  readonly rawBody: Buffer;
}

/** A header that is present but not in the shape Standard Webhooks gives it; `field` is the header name. */
export interface WebhookHeaderProblem {
  readonly field: string;
  readonly message: string;
}

export type WebhookHeaderCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly missing: readonly string[]; readonly malformed: readonly WebhookHeaderProblem[] };

/** Bounds of the headers: a delivery id of at most 256 token characters, at most 1 KiB of signatures. */
export const WEBHOOK_ID_MAX_LENGTH = 256;
export const WEBHOOK_SIGNATURE_MAX_LENGTH = 1024;
const WEBHOOK_ID = /^[A-Za-z0-9_.:-]+$/;
const TIMESTAMP = /^\d{1,12}$/;
/** One signature: a version (`v1`, or `v1a` for asymmetric ones) and its base64 value. */
const SIGNATURE_ENTRY = /^v\d{1,3}[a-z]?,[A-Za-z0-9+/]{1,684}={0,2}$/;

/**
 * Checks the three headers before anything else is looked at: each present (an empty value counts as absent) and
 * well formed — `webhook-id` 1 to 256 characters of `A-Z a-z 0-9 _ . : -`, `webhook-timestamp` unix seconds (digits),
 * `webhook-signature` space-separated `v<n>,<base64>` entries, 1 KiB at most (Standard Webhooks).
 */
export function checkWebhookHeaders(headers: WebhookHeaders): WebhookHeaderCheck {
  const missing: string[] = [];
  const malformed: WebhookHeaderProblem[] = [];
  const { id, timestamp, signature } = headers;
  if (!id) missing.push('webhook-id');
  else if (id.length > WEBHOOK_ID_MAX_LENGTH || !WEBHOOK_ID.test(id))
    malformed.push({
      field: 'webhook-id',
      message: `webhook-id must be 1 to ${WEBHOOK_ID_MAX_LENGTH} characters of A-Z a-z 0-9 _ . : -`,
    });
  if (!timestamp) missing.push('webhook-timestamp');
  else if (!TIMESTAMP.test(timestamp))
    malformed.push({ field: 'webhook-timestamp', message: 'webhook-timestamp must be unix seconds (digits only)' });
  if (!signature) missing.push('webhook-signature');
  else if (
    signature.length > WEBHOOK_SIGNATURE_MAX_LENGTH ||
    !signature.split(' ').every((entry) => SIGNATURE_ENTRY.test(entry))
  )
    malformed.push({
      field: 'webhook-signature',
      message: `webhook-signature must be space-separated v1,<base64> signatures, at most ${WEBHOOK_SIGNATURE_MAX_LENGTH} characters`,
    });
  return missing.length === 0 && malformed.length === 0 ? { ok: true } : { ok: false, missing, malformed };
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
