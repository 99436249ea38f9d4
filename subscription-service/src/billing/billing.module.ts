import { Module } from '@nestjs/common';
import { PaymentsOutboxModule } from '../payments-outbox/payments-outbox.module';
import { BillingWorker } from './billing.worker';

@Module({ imports: [PaymentsOutboxModule], providers: [BillingWorker], exports: [BillingWorker] })
export class BillingModule {}
