import { Injectable } from '@nestjs/common';
import { BillingRunService } from '../billing/billing-run.service';
import { AppConfig } from '../config/app-config';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Database } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { AdvanceTestClockRequest } from './dto/advance-test-clock.request';
import { SubscriptionResponse } from './dto/subscription.response';
import { SubscriptionAccess } from './subscription-access';
import { updateSubscriptionVersioned } from './persistence/subscription.repository';

/**
 * The most a subscription's test clock can have moved in total, in seconds (about 68 years):
 * `subscriptions.clock_offset_seconds` is a PostgreSQL integer.
 */
export const MAX_CLOCK_OFFSET_SECONDS = 2_147_483_647;

/** The per-subscription test clock (TEST_CLOCK_ENABLED only, admin only). */
@Injectable()
export class SubscriptionTestClockService {
  constructor(
    private readonly db: Database,
    private readonly billingRun: BillingRunService,
    private readonly config: AppConfig,
    private readonly access: SubscriptionAccess,
  ) {}

  /**
   * Test clock (TEST_CLOCK_ENABLED only, admin only): moves this subscription's billing time forward,
   * then runs the billing work that became due for it synchronously, so a renewal, a dunning retry
   * or an end-of-period cancellation happens in seconds.
   * @throws DomainError 400 `validation_failed` when neither or both of `seconds` and `to` are given, when `to` is
   *   not after the billing time, or when the clock would move more than MAX_CLOCK_OFFSET_SECONDS in total.
   */
  async advanceTestClock(
    principal: Principal,
    id: string,
    request: AdvanceTestClockRequest,
  ): Promise<SubscriptionResponse> {
    if (!this.config.billing.testClockEnabled) {
      throw new DomainError('not_found', 'The test clock is disabled (TEST_CLOCK_ENABLED=false).');
    }
    if (!isAdmin(principal)) throw new DomainError('forbidden', 'Only admins may move a test clock.');
    if ((request.seconds === undefined) === (request.to === undefined)) {
      throw DomainError.validation([{ field: 'seconds', message: 'give exactly one of seconds or to' }]);
    }
    await this.db.transaction(async (tx) => {
      const subscription = await this.access.lockVisibleSubscription(tx, principal, id);
      const billingNow = this.access.momentFor(subscription).billing;
      const seconds =
        request.seconds ?? Math.ceil((new Date(request.to as string).getTime() - billingNow.getTime()) / 1000);
      if (seconds <= 0) {
        throw DomainError.validation([
          { field: 'to', message: `must be after the subscription's billing time ${billingNow.toISOString()}` },
        ]);
      }
      if (subscription.clockOffsetSeconds + seconds > MAX_CLOCK_OFFSET_SECONDS) {
        throw DomainError.validation([
          {
            field: request.to === undefined ? 'seconds' : 'to',
            message:
              `the test clock can move at most ${MAX_CLOCK_OFFSET_SECONDS} seconds in total (about 68 years); ` +
              `it has moved ${subscription.clockOffsetSeconds}`,
          },
        ]);
      }
      await updateSubscriptionVersioned(
        tx,
        subscription,
        { clockOffsetSeconds: subscription.clockOffsetSeconds + seconds },
        billingNow,
      );
    });
    await this.billingRun.runDueFor(id);
    return this.access.view(this.db, principal, id);
  }
}
