import { Injectable } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppConfig } from '../../config/app-config';

/**
 * Limits failed authentication per client address: after AUTH_FAILURES_PER_MINUTE failures in a minute,
 * every request from that address answers 429 until the minute is over, a valid key included, so keys
 * cannot be guessed faster than that. Per process (rate-limiter-flexible's in-memory fixed windows, O(1)).
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly failures: RateLimiterMemory;
  private readonly limit: number;

  constructor(config: AppConfig) {
    this.limit = config.authFailuresPerMinute;
    this.failures = new RateLimiterMemory({ keyPrefix: 'auth-failures', points: this.limit, duration: 60 });
  }

  /** @throws ThrottlerException (429) while `address` is over its failure budget. */
  async assertAllowed(address: string): Promise<void> {
    const used = await this.failures.get(address);
    if (used && used.consumedPoints >= this.limit)
      throw new ThrottlerException('Too many failed authentication attempts; retry later.');
  }

  async recordFailure(address: string): Promise<void> {
    await this.failures.penalty(address, 1);
  }
}
