import { Module } from '@nestjs/common';
import { PaymentGatewayClient } from './payment-gateway.client';
import { PaymentOutboxWorker } from './payment-outbox.worker';

@Module({ providers: [PaymentGatewayClient, PaymentOutboxWorker], exports: [PaymentOutboxWorker, PaymentGatewayClient] })
export class PaymentsOutboxModule {}
