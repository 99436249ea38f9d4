export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';
export const IDEMPOTENCY_KEY_RULE = 'must be a single value of 1 to 255 characters';

const MAX_KEY_LENGTH = 255;

/**
 * The client's Idempotency-Key: undefined when the request has none, null when it is not a single value of
 * 1–255 characters (the caller answers 400 `validation_failed` with IDEMPOTENCY_KEY_RULE). Repeated headers are
 * refused rather than one of them picked.
 */
export function readIdempotencyKey(header: string | string[] | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || header.length < 1 || header.length > MAX_KEY_LENGTH) return null;
  return header;
}
