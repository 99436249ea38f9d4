import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { bearerToken } from './bearer';
import { IS_PUBLIC } from './auth.decorators';

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Bearer API keys from API_KEYS, the first global guard. Only their SHA-256 digests stay in memory;
 * comparison is constant-time. Every refusal (no key, a malformed header, an unknown key: 401) counts as a failed
 * attempt, limited per client address (AuthFailureLimiter: 429 with Retry-After past the limit).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keyDigests: readonly Buffer[];

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.keyDigests = config.apiKeys.map(sha256);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    await this.failures.assertAllowed(request.ip, http.getResponse<FastifyReply>());
    const key = bearerToken(request.headers.authorization);
    const digest = key === undefined ? undefined : sha256(key);
    // Compare against every key so timing does not reveal which one matched.
    const matched =
      digest !== undefined && this.keyDigests.reduce((found, known) => timingSafeEqual(known, digest) || found, false);
    if (!digest || !matched) {
      await this.failures.recordFailure(request.ip);
      throw DomainError.unauthorized();
    }
    request.principal = { id: `key_${digest.toString('hex').slice(0, 16)}` };
    return true;
  }
}
