import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthenticatedRequest } from '../auth/auth.decorators';
import { principalId } from '../auth/principal';

/**
 * RATE_LIMIT_PER_MINUTE per caller: the API key's principal (it runs after ApiKeyGuard), or the client
 * address on public routes. Keying on the principal gives each customer, and each calling service, its
 * own budget however many addresses it calls from. Guessing keys is limited by ApiKeyGuard (per address).
 */
@Injectable()
export class CallerThrottlerGuard extends ThrottlerGuard {
  /** One budget per caller across every route (the default keys a SHA-256 of class, handler and caller: per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override getTracker(request: AuthenticatedRequest): Promise<string> {
    return Promise.resolve(request.principal ? principalId(request.principal) : `ip:${request.ip}`);
  }
}
