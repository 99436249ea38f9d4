import { Module } from '@nestjs/common';
import { PaymentsOutboxModule } from '../payments-outbox/payments-outbox.module';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

@Module({ imports: [PaymentsOutboxModule], controllers: [SubscriptionsController], providers: [SubscriptionsService] })
export class SubscriptionsModule {}
