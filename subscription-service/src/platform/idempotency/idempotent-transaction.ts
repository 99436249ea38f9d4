import { Sql, statement } from '../database/database';
import { DomainError } from '../errors/domain-error';
import { IdempotencyRequest } from './idempotency-key';

/** How long a key is remembered (Stripe keeps keys at least 24 h). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** What an idempotent operation answers: its own result, or the first response of an earlier request with the key. */
export type IdempotentResult<T> =
  | { readonly replayed: false; readonly body: T }
  | { readonly replayed: true; readonly status: number; readonly body: unknown };

interface StoredKey {
  id: string;
  requestHash: string;
  responseStatus: number | null;
  responseBody: unknown;
  expiresAt: Date;
}

const INSERT_KEY = statement(
  'idempotency_insert',
  `INSERT INTO idempotency_keys (id, scope, key, request_hash, expires_at, created_at)
   VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)
   ON CONFLICT (scope, key) DO NOTHING
   RETURNING id`,
);
const FIND_KEY = statement(
  'idempotency_find',
  `SELECT id, request_hash AS "requestHash", response_status AS "responseStatus", response_body AS "responseBody", expires_at AS "expiresAt"
     FROM idempotency_keys WHERE scope = $1 AND key = $2`,
);
const DELETE_EXPIRED = statement(
  'idempotency_delete_expired',
  `DELETE FROM idempotency_keys WHERE id = $1 AND expires_at <= $2`,
);
const STORE_RESPONSE = statement(
  'idempotency_store_response',
  `UPDATE idempotency_keys SET response_status = $2, response_body = $3, completed_at = $4 WHERE id = $1`,
);

/**
 * Runs `work` under an Idempotency-Key inside the caller's transaction `tx` (IETF
 * draft-ietf-httpapi-idempotency-key-header; Stripe's semantics): the key's row and the response are
 * written in the same transaction as the work's effects. So a key is either unused or bound to a
 * committed response — never half-used: a failed or crashed request rolls its key back with its effects,
 * and a concurrent duplicate waits on the key's unique index until the first commits, then replays it.
 * Without a key, `work` simply runs.
 * @throws DomainError `idempotency_key_reused` (422) when the key was used with another body or route parameters.
 */
export async function runIdempotent<T>(
  tx: Sql,
  request: IdempotencyRequest | undefined,
  now: Date,
  work: () => Promise<T>,
  /** What of the response is stored for replays; a secret in it (a new API key) must not be. Default: all of it. */
  storedAs: (body: T) => unknown = (body) => body,
): Promise<IdempotentResult<T>> {
  if (!request) return { replayed: false, body: await work() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const [inserted] = await tx.query<{ id: string }>(INSERT_KEY, [
      request.scope,
      request.key,
      request.requestHash,
      new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
      now,
    ]);
    if (inserted) {
      const body = await work();
      // Stored as the client sees it (dates as ISO strings).
      await tx.execute(STORE_RESPONSE, [
        inserted.id,
        request.successStatus,
        JSON.stringify(storedAs(body) ?? null),
        now,
      ]);
      return { replayed: false, body };
    }
    const [stored] = await tx.query<StoredKey & Record<string, unknown>>(FIND_KEY, [request.scope, request.key]);
    if (!stored) continue; // deleted meanwhile: insert again
    if (stored.expiresAt <= now) {
      await tx.execute(DELETE_EXPIRED, [stored.id, now]);
      continue;
    }
    if (stored.requestHash !== request.requestHash) {
      throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
    }
    if (stored.responseStatus === null) {
      // Only rows written by an earlier version (which reserved keys before running the request) can lack a response.
      throw new DomainError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed.');
    }
    return { replayed: true, status: stored.responseStatus, body: stored.responseBody };
  }
  throw new DomainError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed.');
}
