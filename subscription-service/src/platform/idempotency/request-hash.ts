import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal payloads hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/**
 * Fingerprint of an idempotent request: SHA-256 of the canonical JSON of its body and path
 * parameters (the path parameters make a key reused on another resource a mismatch, not a replay).
 */
export function idempotencyRequestHash(body: unknown, params: Record<string, string> = {}): string {
  return createHash('sha256')
    .update(canonicalJson({ body: body ?? null, params }))
    .digest('hex');
}
