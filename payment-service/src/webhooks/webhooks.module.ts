import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDeliveryAttemptsService } from './webhook-delivery-attempts.service';
import { WebhookDeliveryMetrics } from './webhook-delivery.metrics';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookEndpointsController } from './webhook-endpoints.controller';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookSender } from './webhook-sender';

@Module({
  controllers: [EventsController, WebhookDeliveriesController, WebhookEndpointsController],
  providers: [
    EventsService,
    WebhookDeliveriesService,
    WebhookDeliveryAttemptsService,
    WebhookDeliveryWorker,
    WebhookDeliveryMetrics,
    WebhookEndpointsService,
    WebhookSender,
  ],
})
export class WebhooksModule {}
