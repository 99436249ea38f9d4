import { Module } from '@nestjs/common';
import { PaymentWebhooksController } from './payment-webhooks.controller';
import { PaymentWebhooksService } from './payment-webhooks.service';
import { WebhookRateLimitGuard } from './webhook-rate-limit.guard';

@Module({ controllers: [PaymentWebhooksController], providers: [PaymentWebhooksService, WebhookRateLimitGuard] })
export class WebhooksModule {}
