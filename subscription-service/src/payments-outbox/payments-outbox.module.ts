import { Module } from '@nestjs/common';
import { OutboxDeliveryService } from './outbox-delivery.service';
import { OutboxMetrics } from './outbox.metrics';
import { PaymentGatewayClient } from './payment-gateway.client';
import { PaymentOutboxWorker } from './payment-outbox.worker';

@Module({
  providers: [PaymentGatewayClient, OutboxDeliveryService, PaymentOutboxWorker, OutboxMetrics],
  exports: [PaymentGatewayClient, OutboxDeliveryService],
})
export class PaymentsOutboxModule {}
