import { randomUUID } from 'node:crypto';
import { ApiKey } from '../generated/prisma/client';
import { issueUserApiKey } from '../platform/auth/api-key';
import { ColumnMap, selectList } from '../platform/database/columns';
import { Sql, statement, statementFor } from '../platform/database/database';
import { Cursor, pageQuery } from '../platform/database/pages';

export const API_KEY_COLUMNS: ColumnMap<ApiKey> = {
  id: 'id',
  userId: 'user_id',
  keyHash: 'key_hash',
  prefix: 'prefix',
  last4: 'last4',
  createdAt: 'created_at',
  lastUsedAt: 'last_used_at',
  revokedAt: 'revoked_at',
};
const SELECT = selectList(API_KEY_COLUMNS, 'k');

/** A key row and the secret it was made from, which only the response that issues it may carry. */
export interface IssuedKey {
  readonly row: ApiKey;
  readonly key: string;
}

const INSERT = statement(
  'api_keys_insert',
  `INSERT INTO api_keys (id, user_id, key_hash, prefix, last4, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
);

/**
 * Issues a new key (`sk_live_` + 32 random bytes, see issueUserApiKey) for user `userId`, created `now`, in the
 * caller's transaction; only its SHA-256 and display parts are stored. An unknown user is a foreign-key violation
 * on `user_id`.
 */
export async function issueApiKey(db: Sql, userId: string, now: Date): Promise<IssuedKey> {
  const issued = issueUserApiKey();
  const row: ApiKey = {
    id: randomUUID(),
    userId,
    keyHash: issued.hash,
    prefix: issued.prefix,
    last4: issued.last4,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  await db.execute(INSERT, [row.id, row.userId, row.keyHash, row.prefix, row.last4, row.createdAt]);
  return { row, key: issued.key };
}

const FIND_CURSOR = statement(
  'api_keys_cursor',
  `SELECT k.created_at AS "createdAt", k.id FROM api_keys k WHERE k.id = $1 AND k.user_id = $2`,
);

/** Where a page of `userId`'s keys after key `id` starts, if `id` is one of that user's keys. */
export async function findApiKeyCursor(db: Sql, userId: string, id: string): Promise<Cursor | null> {
  const [cursor] = await db.query<Cursor>(FIND_CURSOR, [id, userId]);
  return cursor ?? null;
}

/** `userId`'s keys (revoked ones included), newest first after `cursor` (see pageQuery). */
export async function listApiKeys(db: Sql, userId: string, cursor: Cursor | null, limit: number): Promise<ApiKey[]> {
  const page = pageQuery('k', [['user_id', userId]], cursor, limit);
  return db.query<ApiKey>(
    statementFor(
      `api_keys_list_${page.shape}`,
      `SELECT ${SELECT} FROM api_keys k ${page.where} ORDER BY k.created_at DESC, k.id DESC LIMIT ${page.limitParam}`,
    ),
    page.values,
  );
}

const REVOKE = statement(
  'api_keys_revoke',
  `UPDATE api_keys k SET revoked_at = COALESCE(k.revoked_at, $3) WHERE k.id = $1 AND k.user_id = $2 RETURNING ${SELECT}`,
);

/**
 * Revokes key `id` of user `userId` at `now`, or leaves an already revoked key as it was (its first `revokedAt`
 * stays, also when two revocations race: the second re-reads the row the first committed). Null when `userId` has
 * no such key. From the commit on, the guard refuses the key (it reads `revoked_at` on every request).
 */
export async function revokeApiKey(db: Sql, userId: string, id: string, now: Date): Promise<ApiKey | null> {
  const [row] = await db.query<ApiKey>(REVOKE, [id, userId, now]);
  return row ?? null;
}

const USER_EXISTS = statement('api_keys_user_exists', `SELECT 1 FROM users WHERE id = $1`);

/** Whether user `id` exists. */
export async function userExists(db: Sql, id: string): Promise<boolean> {
  return (await db.query(USER_EXISTS, [id])).length > 0;
}
