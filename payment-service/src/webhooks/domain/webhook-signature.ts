import { createHmac, timingSafeEqual } from 'node:crypto';

/** Standard Webhooks signing (https://www.standardwebhooks.com): `v1,<base64 HMAC-SHA256>`. */
const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1';

export interface SignedContent {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  /** The exact bytes sent; never a re-serialisation. */
  body: string;
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new Error('webhook secret must start with whsec_');
  }
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

function hmac(secret: string, { id, timestamp, body }: SignedContent): Buffer {
  return createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest();
}

/** Value of the `webhook-signature` header. */
export function signWebhook(secret: string, content: SignedContent): string {
  return `${SIGNATURE_VERSION},${hmac(secret, content).toString('base64')}`;
}

/**
 * True when any of the space-separated signatures in `header` matches (senders list several while
 * rotating secrets). Timestamp tolerance is the receiver's policy and is checked by the caller.
 */
export function verifyWebhookSignature(secret: string, content: SignedContent, header: string): boolean {
  const expected = hmac(secret, content);
  return header.split(' ').some((candidate) => {
    const [version, signature] = candidate.split(',', 2);
    if (version !== SIGNATURE_VERSION || !signature) {
      return false;
    }
    const received = Buffer.from(signature, 'base64');
    return received.length === expected.length && timingSafeEqual(received, expected);
  });
}
