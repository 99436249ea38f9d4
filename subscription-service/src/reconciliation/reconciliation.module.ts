import { Module } from '@nestjs/common';
import { PaymentsOutboxModule } from '../payments-outbox/payments-outbox.module';
import { ReconciliationService } from './reconciliation.service';
import { ReconciliationWorker } from './reconciliation.worker';

@Module({
  imports: [PaymentsOutboxModule],
  providers: [ReconciliationService, ReconciliationWorker],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
