import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { Event, WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from '../generated/prisma/client';
import { PrismaService } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { ListPage, pageArgs, toPage } from '../platform/http/pagination';
import { Clock, CLOCK } from '../platform/time/clock';
import { WorkSignal } from '../platform/workers/work-signal';
import { EventDetailResponse, EventResponse } from './dto/event.response';
import { ListEventsQuery } from './dto/list-events.query';
import { WEBHOOK_DELIVERIES } from './webhook-delivery-work';

const WITH_DELIVERIES = {
  deliveries: {
    include: { endpoint: true, attempts: { orderBy: { attemptNumber: 'asc' } } },
    orderBy: { createdAt: 'asc' },
  },
} as const;

type EventWithDeliveries = Event & {
  deliveries: (WebhookDelivery & { endpoint: WebhookEndpoint; attempts: WebhookDeliveryAttempt[] })[];
};

@Injectable()
export class EventsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly work: WorkSignal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(query: ListEventsQuery): Promise<ListPage<EventResponse>> {
    const events = await this.prisma.event.findMany({
      where: { type: query.type, paymentId: query.paymentId },
      ...(await pageArgs(query, (id) => this.prisma.event.findUnique({ where: { id }, select: { id: true } }))),
    });
    return toPage(events, query, toEventResponse);
  }

  async get(id: string): Promise<EventDetailResponse> {
    return toEventDetail(await this.findOrThrow(id));
  }

  /** Restarts the retry schedule now for every enabled endpoint, including ones added after the event. */
  async redeliver(id: string): Promise<EventDetailResponse> {
    const event = await this.findOrThrow(id);
    const now = this.clock.now();
    const endpoints = await this.prisma.webhookEndpoint.findMany({ where: { enabled: true }, select: { id: true } });
    // Clearing the lease makes the row claimable at once; an attempt still in flight then loses its
    // lease and is not recorded, so the new schedule is not overwritten by a stale outcome.
    const restart = {
      status: 'pending' as const,
      retryIndex: 0,
      nextAttemptAt: now,
      lockedUntil: null,
      updatedAt: now,
    };
    await this.prisma.$transaction(
      endpoints.map((endpoint) =>
        this.prisma.webhookDelivery.upsert({
          where: { eventId_endpointId: { eventId: event.id, endpointId: endpoint.id } },
          create: { eventId: event.id, endpointId: endpoint.id, ...restart, createdAt: now },
          update: restart,
        }),
      ),
    );
    this.work.raise(WEBHOOK_DELIVERIES);
    return this.get(id);
  }

  private async findOrThrow(id: string): Promise<EventWithDeliveries> {
    const event = isUUID(id) ? await this.prisma.event.findUnique({ where: { id }, include: WITH_DELIVERIES }) : null;
    if (!event) {
      throw DomainError.notFound('event', id);
    }
    return event;
  }
}

function toEventResponse(event: Event): EventResponse {
  const payload = JSON.parse(event.body) as Pick<EventResponse, 'data'>;
  return {
    id: event.id,
    object: 'event',
    type: event.type,
    paymentId: event.paymentId,
    sequence: event.sequence,
    createdAt: event.createdAt.toISOString(),
    data: payload.data,
  };
}

function toEventDetail(event: EventWithDeliveries): EventDetailResponse {
  return {
    ...toEventResponse(event),
    deliveries: event.deliveries.map((delivery) => ({
      id: delivery.id,
      endpointId: delivery.endpointId,
      url: delivery.endpoint.url,
      status: delivery.status,
      attemptCount: delivery.attemptCount,
      nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
      lastStatusCode: delivery.lastStatusCode,
      lastError: delivery.lastError,
      deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
      attempts: delivery.attempts.map((attempt) => ({
        attemptNumber: attempt.attemptNumber,
        statusCode: attempt.statusCode,
        error: attempt.error,
        durationMs: attempt.durationMs,
        responseSnippet: attempt.responseSnippet,
        startedAt: attempt.startedAt.toISOString(),
        finishedAt: attempt.finishedAt.toISOString(),
      })),
    })),
  };
}
