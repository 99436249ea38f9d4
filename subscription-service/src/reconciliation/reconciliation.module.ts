import { Module } from '@nestjs/common';
import { PaymentsOutboxModule } from '../payments-outbox/payments-outbox.module';
import { ReconciliationWorker } from './reconciliation.worker';

@Module({ imports: [PaymentsOutboxModule], providers: [ReconciliationWorker], exports: [ReconciliationWorker] })
export class ReconciliationModule {}
