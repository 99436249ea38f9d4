import { Module } from '@nestjs/common';
import { OutboxDeliveryService } from './outbox-delivery.service';
import { PaymentGatewayClient } from './payment-gateway.client';
import { PaymentOutboxWorker } from './payment-outbox.worker';

@Module({
  providers: [PaymentGatewayClient, OutboxDeliveryService, PaymentOutboxWorker],
  exports: [PaymentGatewayClient, OutboxDeliveryService],
})
export class PaymentsOutboxModule {}
