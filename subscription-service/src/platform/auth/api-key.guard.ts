import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../config/app-config';
import { Database, statement } from '../database/database';
import { DomainError } from '../errors/domain-error';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { digestsEqual, sha256Hex } from './api-key';
import { ADMIN_ONLY, AuthenticatedRequest, IS_PUBLIC } from './auth.decorators';
import { bearerToken } from './bearer';
import { Principal } from './principal';

const USER_BY_KEY_HASH = statement('users_by_api_key_hash', 'SELECT id FROM users WHERE api_key_hash = $1');

/**
 * User ids by key hash, so a customer's steady traffic costs no lookup query (one of three statements of a
 * GET /v1/subscriptions/{id} before; docs/performance.md). A user's key never changes or goes away today;
 * whatever revokes keys must evict them here on every replica. Only hits are cached (guesses are not),
 * bounded in size and age.
 */
const KNOWN_KEYS = { max: 10_000, ttl: 60_000 } as const;

/**
 * Global guard, the first one: resolves `Authorization: Bearer <key>` to a principal; enforces @AdminOnly.
 * Every refusal (no key, malformed header, unknown key: 401; a user key on an admin route: 403) counts as a
 * failed attempt, limited per client address (AuthFailureLimiter: 429 with Retry-After past the limit).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly failures: AuthFailureLimiter,
  ) {}

  private readonly userIdsByKeyHash = new LRUCache<string, string>(KNOWN_KEYS);

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
    const cached = this.userIdsByKeyHash.get(hash);
    if (cached) return { kind: 'user', userId: cached };
    const [user] = await this.db.query<{ id: string }>(USER_BY_KEY_HASH, [hash]);
    if (!user) return null;
    this.userIdsByKeyHash.set(hash, user.id);
    return { kind: 'user', userId: user.id };
  }
}
