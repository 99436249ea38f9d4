import { Injectable } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppConfig } from '../../config/app-config';

/**
 * Limits failed authentication per client address: after AUTH_FAILURES_PER_MINUTE failures in a minute,
 * every request from that address answers 429 until the minute is over, a valid key included, so keys
 * cannot be guessed faster than that. A failure is any request the API key guard refuses: no key, a malformed
 * header, an unknown key, or a key of the wrong kind for the route. The address is `request.ip`: the peer's, or
 * the one a TRUSTED_PROXIES proxy reports, never a client's own X-Forwarded-For. Per process
 * (rate-limiter-flexible's in-memory fixed windows, O(1)).
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly failures: RateLimiterMemory;
  private readonly limit: number;

  constructor(config: AppConfig) {
    this.limit = config.authFailuresPerMinute;
    this.failures = new RateLimiterMemory({ keyPrefix: 'auth-failures', points: this.limit, duration: 60 });
  }

  /**
   * @throws ThrottlerException (429) while `address` is over its failure budget, after setting `Retry-After`
   * (seconds until the window ends, RFC 9110 §10.2.3) on `reply`.
   */
  async assertAllowed(address: string, reply: FastifyReply): Promise<void> {
    const used = await this.failures.get(address);
    if (used && used.consumedPoints >= this.limit) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(used.msBeforeNext / 1000))));
      throw new ThrottlerException('Too many failed authentication attempts; retry later.');
    }
  }

  async recordFailure(address: string): Promise<void> {
    await this.failures.penalty(address, 1);
  }
}
