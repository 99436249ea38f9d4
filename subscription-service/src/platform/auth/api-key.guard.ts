import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '../../config/app-config';
import { Database, statement } from '../database/database';
import { DomainError } from '../errors/domain-error';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter';
import { digestsEqual, sha256Hex } from './api-key';
import { ADMIN_ONLY, AuthenticatedRequest, IS_PUBLIC } from './auth.decorators';
import { Principal } from './principal';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

const USER_BY_KEY_HASH = statement('users_by_api_key_hash', 'SELECT id FROM users WHERE api_key_hash = $1');

/**
 * Global guard, the first one: resolves `Authorization: Bearer <key>` to a principal; enforces @AdminOnly.
 * Failed attempts are limited per client address (AuthFailureLimiter).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    await this.failures.assertAllowed(request.ip);
    const principal = await this.authenticate(request.headers.authorization);
    if (!principal) {
      await this.failures.recordFailure(request.ip);
      throw DomainError.unauthorized();
    }
    request.principal = principal;

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && principal.kind !== 'admin') {
      throw new DomainError('forbidden', 'This operation requires an admin API key.');
    }
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal | null> {
    const key = header ? BEARER.exec(header)?.[1] : undefined;
    if (!key) return null;
    const hash = sha256Hex(key);
    // Compare against every admin hash so timing does not reveal which one matched.
    const isAdmin = this.config.adminKeyHashes.reduce((found, adminHash) => digestsEqual(hash, adminHash) || found, false);
    if (isAdmin) return { kind: 'admin' };
    const [user] = await this.db.query<{ id: string }>(USER_BY_KEY_HASH, [hash]);
    return user ? { kind: 'user', userId: user.id } : null;
  }
}
