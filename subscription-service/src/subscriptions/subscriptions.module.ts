import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { SubscriptionAccess } from './subscription-access';
import { SubscriptionLifecycleService } from './subscription-lifecycle.service';
import { SubscriptionPlanChangesService } from './subscription-plan-changes.service';
import { SubscriptionQueriesService } from './subscription-queries.service';
import { SubscriptionTestClockService } from './subscription-test-clock.service';
import { SubscriptionsController } from './subscriptions.controller';

@Module({
  imports: [BillingModule],
  controllers: [SubscriptionsController],
  providers: [
    SubscriptionAccess,
    SubscriptionQueriesService,
    SubscriptionLifecycleService,
    SubscriptionPlanChangesService,
    SubscriptionTestClockService,
  ],
})
export class SubscriptionsModule {}
