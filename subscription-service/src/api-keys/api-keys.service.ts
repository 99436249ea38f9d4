import { Inject, Injectable } from '@nestjs/common';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Database } from '../platform/database/database';
import { isForeignKeyViolation } from '../platform/database/database-errors';
import { DomainError } from '../platform/errors/domain-error';
import { cursorAfter, ListPage, PaginationQuery, toPage } from '../platform/http/pagination';
import { IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult, runIdempotent } from '../platform/idempotency/idempotent-transaction';
import { Clock, CLOCK } from '../platform/time/clock';
import { toApiKeyResponse } from './api-key.mapper';
import { findApiKeyCursor, issueApiKey, listApiKeys, revokeApiKey, userExists } from './api-key.repository';
import { ApiKeyResponse } from './dto/api-key.response';
import { CreatedApiKeyResponse } from './dto/created-api-key.response';

/**
 * A user's API keys: issue, list, revoke (issue 11). The caller is an admin or the user themself; anyone else is
 * told the user does not exist (404), as for every other resource. Keys rotate without downtime: issue a new key,
 * switch the client to it, revoke the old one.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Issues a new key for user `userId`; the secret is in this response only (a replay with the same
   * Idempotency-Key answers the key without it: it is never stored).
   * @throws DomainError `not_found` (404) for an unknown user or another user's id.
   */
  async create(
    principal: Principal,
    userId: string,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<CreatedApiKeyResponse>> {
    this.assertMayAccess(principal, userId);
    const now = this.clock.now();
    try {
      return await this.db.transaction((tx) =>
        runIdempotent(
          tx,
          idempotency,
          now,
          async () => {
            const issued = await issueApiKey(tx, userId, now);
            return { ...toApiKeyResponse(issued.row), key: issued.key };
          },
          ({ key, ...withoutKey }) => withoutKey,
        ),
      );
    } catch (error) {
      throw isForeignKeyViolation(error, 'user_id') ? DomainError.notFound('User', userId) : error;
    }
  }

  /**
   * User `userId`'s keys, revoked ones included, newest first.
   * @throws DomainError `not_found` (404) for an unknown user or another user's id; `invalid_cursor` (400) when
   * `startingAfter` is not one of this user's keys.
   */
  async list(principal: Principal, userId: string, query: PaginationQuery): Promise<ListPage<ApiKeyResponse>> {
    await this.assertUserVisible(principal, userId);
    const cursor = await cursorAfter(query.startingAfter, (id) => findApiKeyCursor(this.db, userId, id));
    const rows = await listApiKeys(this.db, userId, cursor, query.limit + 1);
    return toPage(rows, query.limit, toApiKeyResponse);
  }

  /**
   * Revokes key `keyId` of user `userId` now: every replica refuses it (401) from the next request on. Revoking a
   * revoked key answers it unchanged.
   * @throws DomainError `not_found` (404) for an unknown user, another user's id, or a key that is not this user's.
   */
  async revoke(principal: Principal, userId: string, keyId: string): Promise<ApiKeyResponse> {
    await this.assertUserVisible(principal, userId);
    const row = await revokeApiKey(this.db, userId, keyId, this.clock.now());
    if (!row) throw DomainError.notFound('API key', keyId);
    return toApiKeyResponse(row);
  }

  /** A user sees only their own keys; another user's id is reported as not found rather than forbidden. */
  private assertMayAccess(principal: Principal, userId: string): void {
    if (!isAdmin(principal) && principal.userId !== userId) throw DomainError.notFound('User', userId);
  }

  /** As assertMayAccess, and for an admin the user must exist (a user's own id always does). */
  private async assertUserVisible(principal: Principal, userId: string): Promise<void> {
    this.assertMayAccess(principal, userId);
    if (isAdmin(principal) && !(await userExists(this.db, userId))) throw DomainError.notFound('User', userId);
  }
}
