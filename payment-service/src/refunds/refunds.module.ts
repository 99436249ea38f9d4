import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { RefundAttemptsService } from './refund-attempts.service';
import { RefundProcessingWorker } from './refund-processing.worker';
import { RefundsController } from './refunds.controller';
import { RefundsService } from './refunds.service';

@Module({
  // Not for injection (settlements reach the delivery worker through the WorkSignal) but for the shutdown
  // order: Nest stops RefundProcessingWorker before WebhookDeliveryWorker, so a settlement recorded while
  // shutting down still sends its delivery at once.
  imports: [WebhooksModule],
  controllers: [RefundsController],
  providers: [RefundsService, RefundAttemptsService, RefundProcessingWorker],
})
export class RefundsModule {}
