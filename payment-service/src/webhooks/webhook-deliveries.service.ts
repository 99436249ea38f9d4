import { Inject, Injectable } from '@nestjs/common';
import { Event, WebhookDelivery, WebhookEndpoint } from '../generated/prisma/client';
import { PrismaService } from '../platform/database/prisma.service';
import { ListPage, pageArgs, toPage } from '../platform/http/pagination';
import { Clock, CLOCK } from '../platform/time/clock';
import { WorkSignal } from '../platform/workers/work-signal';
import {
  ListWebhookDeliveriesQuery,
  RedeliverWebhookDeliveriesDto,
  WebhookDeliveryResponse,
} from './dto/webhook-delivery.dto';
import { WEBHOOK_DELIVERIES } from './webhook-delivery-work';

type DeliveryWithContext = WebhookDelivery & {
  event: Pick<Event, 'type' | 'paymentId'>;
  endpoint: Pick<WebhookEndpoint, 'url'>;
};

/** Deliveries across events: mainly to find dead letters (`failed`) and send them again in bulk. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly work: WorkSignal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(query: ListWebhookDeliveriesQuery): Promise<ListPage<WebhookDeliveryResponse>> {
    const deliveries = await this.prisma.webhookDelivery.findMany({
      where: { status: query.status, updatedAt: query.since ? { gte: new Date(query.since) } : undefined },
      include: { event: { select: { type: true, paymentId: true } }, endpoint: { select: { url: true } } },
      ...(await pageArgs(query, (id) =>
        this.prisma.webhookDelivery.findUnique({ where: { id }, select: { id: true } }),
      )),
    });
    return toPage(deliveries, query, toDeliveryResponse);
  }

  /**
   * Every dead letter (to an enabled endpoint) updated since `since` becomes pending again, due now, with the
   * retry schedule restarted — one UPDATE, so a concurrent worker sees all of them or none. Deliveries to
   * disabled endpoints stay dead: no worker would ever send them.
   */
  async redeliver(input: RedeliverWebhookDeliveriesDto): Promise<{ redelivered: number }> {
    const now = this.clock.now().toISOString();
    const redelivered = await this.prisma.$executeRaw`
      UPDATE webhook_deliveries d
      SET status = 'pending', retry_index = 0, next_attempt_at = ${now}::timestamptz, locked_until = NULL, updated_at = ${now}::timestamptz
      FROM webhook_endpoints e
      WHERE e.id = d.endpoint_id AND e.enabled
        AND d.status = 'failed'
        AND d.updated_at >= ${new Date(input.since).toISOString()}::timestamptz`;
    if (redelivered > 0) {
      this.work.raise(WEBHOOK_DELIVERIES);
    }
    return { redelivered };
  }
}

function toDeliveryResponse(delivery: DeliveryWithContext): WebhookDeliveryResponse {
  return {
    id: delivery.id,
    object: 'webhook_delivery',
    eventId: delivery.eventId,
    eventType: delivery.event.type,
    paymentId: delivery.event.paymentId,
    endpointId: delivery.endpointId,
    url: delivery.endpoint.url,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
  };
}
