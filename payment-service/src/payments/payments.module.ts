import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PaymentAttemptsService } from './payment-attempts.service';
import { PaymentProcessingWorker } from './payment-processing.worker';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';

@Module({
  // Not for injection (settlements reach the delivery worker through the WorkSignal) but for the shutdown
  // order: Nest stops PaymentProcessingWorker before WebhookDeliveryWorker, so a settlement recorded while
  // shutting down still sends its delivery at once.
  imports: [WebhooksModule],
  controllers: [PaymentsController],
  providers: [PaymentsService, PaymentAttemptsService, PaymentProcessingWorker],
})
export class PaymentsModule {}
