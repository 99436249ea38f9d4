import { Module } from '@nestjs/common';
import { PaymentGatewayClient } from './payment-gateway.client';
import { PaymentOutboxWorker } from './payment-outbox.worker';

@Module({ providers: [PaymentGatewayClient, PaymentOutboxWorker], exports: [PaymentOutboxWorker] })
export class PaymentsOutboxModule {}
