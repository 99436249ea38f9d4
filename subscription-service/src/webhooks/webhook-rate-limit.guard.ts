import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config';

/**
 * WEBHOOK_RATE_LIMIT_PER_MINUTE deliveries a minute per client address on the webhook route, which has no API key
 * and so no per-caller budget: generous for the payment service (its replicas, or the proxy in front of them, are
 * the only legitimate callers), a bound for anyone flooding it with unsigned bodies. The address is `request.ip`
 * (TRUSTED_PROXIES decides whose X-Forwarded-For counts). Past it: 429 with Retry-After (RFC 9110 §10.2.3); the
 * payment service retries on its schedule. Per process (rate-limiter-flexible's in-memory fixed windows, O(1)).
 */
@Injectable()
export class WebhookRateLimitGuard implements CanActivate {
  private readonly deliveries: RateLimiterMemory;

  constructor(config: AppConfig) {
    this.deliveries = new RateLimiterMemory({
      keyPrefix: 'webhook-deliveries',
      points: config.webhookRateLimitPerMinute,
      duration: 60,
    });
  }

  /** @throws ThrottlerException (429) past the limit, after setting Retry-After. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    try {
      await this.deliveries.consume(http.getRequest<FastifyRequest>().ip);
      return true;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      void http.getResponse<FastifyReply>().header('retry-after', String(retryAfter));
      throw new ThrottlerException('Too many webhook deliveries from this address; retry later.');
    }
  }
}
