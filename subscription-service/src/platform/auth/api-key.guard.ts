import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { Database, statement } from '../database/database';
import { DomainError } from '../errors/domain-error';
import { Clock, CLOCK } from '../time/clock';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { digestsEqual, sha256Hex } from './api-key';
import { ADMIN_ONLY, AuthenticatedRequest, IS_PUBLIC } from './auth.decorators';
import { bearerToken } from './bearer';
import { Principal } from './principal';

/**
 * The user of an unrevoked key, by the hash of the presented key: one probe of the unique index on
 * `api_keys.key_hash`, every request, on every replica; nothing is cached, so a revoked key is refused by the
 * next request that presents it. The same statement records `last_used_at` ($2, the clock's now), at most once a
 * minute per key: its UPDATE matches a row only when the value read is missing or over a minute old, so the other
 * requests of that minute write nothing (no transaction id, no WAL). Its condition is repeated on the updated
 * row itself so that, of concurrent requests, only the first writes (the others re-check it after waiting).
 */
const USER_BY_KEY_HASH = statement(
  'api_keys_authenticate',
  `WITH found AS (
     SELECT id, user_id, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL
   ), touched AS (
     UPDATE api_keys SET last_used_at = $2
      WHERE id = (SELECT id FROM found WHERE last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')
        AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')
      RETURNING id
   )
   SELECT user_id AS "userId" FROM found`,
);

/**
 * Global guard, the first one: resolves `Authorization: Bearer <key>` to a principal (an admin key from
 * ADMIN_API_KEYS, else an unrevoked user key of `api_keys`); enforces @AdminOnly. Every refusal (no key, malformed
 * header, unknown or revoked key: 401; a user key on an admin route: 403) counts as a failed attempt, limited per
 * client address (AuthFailureLimiter: 429 with Retry-After past the limit).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly failures: AuthFailureLimiter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    await this.failures.assertAllowed(request.ip, http.getResponse<FastifyReply>());
    const principal = await this.authenticate(request.headers.authorization);
    if (!principal) {
      await this.failures.recordFailure(request.ip);
      throw DomainError.unauthorized();
    }
    request.principal = principal;

    // A user key tried on an admin route counts as a failure too: probing for admin routes is limited alike.
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && principal.kind !== 'admin') {
      await this.failures.recordFailure(request.ip);
      throw new DomainError('forbidden', 'This operation requires an admin API key.');
    }
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal | null> {
    const key = bearerToken(header);
    if (!key) return null;
    const hash = sha256Hex(key);
    // Compare against every admin hash so timing does not reveal which one matched.
    const isAdmin = this.config.adminKeyHashes.reduce(
      (found, adminHash) => digestsEqual(hash, adminHash) || found,
      false,
    );
    if (isAdmin) return { kind: 'admin' };
    const [userKey] = await this.db.query<{ userId: string }>(USER_BY_KEY_HASH, [hash, this.clock.now()]);
    return userKey ? { kind: 'user', userId: userKey.userId } : null;
  }
}
