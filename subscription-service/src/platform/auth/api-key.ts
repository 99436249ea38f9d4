import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Lower-case hex SHA-256. API keys are stored and compared only as this digest. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time equality of two hex digests (different lengths are simply unequal). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface IssuedApiKey {
  /** Shown to the caller once, never stored. */
  readonly key: string;
  readonly hash: string;
  /** Non-secret beginning of the key, kept for display ("sk_live_AbCd…"). */
  readonly prefix: string;
  /** Its last four characters, kept for display ("…x9Qz"): 4 of 43 random characters reveal nothing useful. */
  readonly last4: string;
}

export const USER_API_KEY_PREFIX = 'sk_live_';
const DISPLAY_PREFIX_LENGTH = 12;

const DISPLAY_SUFFIX_LENGTH = 4;

/** The stored facts of a key: its hash and the non-secret parts shown in listings. */
export function describeApiKey(key: string): IssuedApiKey {
  return {
    key,
    hash: sha256Hex(key),
    prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
    last4: key.slice(-DISPLAY_SUFFIX_LENGTH),
  };
}

/** A new user key: `sk_live_` + 32 random bytes, base64url. */
export function issueUserApiKey(): IssuedApiKey {
  return describeApiKey(USER_API_KEY_PREFIX + randomBytes(32).toString('base64url'));
}
