import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { PaymentsOutboxModule } from '../payments-outbox/payments-outbox.module';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

@Module({ imports: [PaymentsOutboxModule, BillingModule], controllers: [SubscriptionsController], providers: [SubscriptionsService] })
export class SubscriptionsModule {}
