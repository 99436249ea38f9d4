import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { RefundProcessingWorker } from './refund-processing.worker';
import { RefundsController } from './refunds.controller';
import { RefundsService } from './refunds.service';

@Module({
  imports: [WebhooksModule],
  controllers: [RefundsController],
  providers: [RefundsService, RefundProcessingWorker],
})
export class RefundsModule {}
