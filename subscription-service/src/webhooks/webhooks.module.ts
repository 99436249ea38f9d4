import { Module } from '@nestjs/common';
import { PaymentWebhooksController } from './payment-webhooks.controller';
import { PaymentWebhooksService } from './payment-webhooks.service';

@Module({ controllers: [PaymentWebhooksController], providers: [PaymentWebhooksService] })
export class WebhooksModule {}
