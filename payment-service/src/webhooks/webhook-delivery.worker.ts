import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { WebhookDeliveryStatus } from '../generated/prisma/enums';
import { PrismaService } from '../platform/database/prisma.service';
import { Clock, CLOCK, RANDOM_SOURCE, RandomSource } from '../platform/time/clock';
import { HeldClaims } from '../platform/workers/held-claims';
import { PollingLoop } from '../platform/workers/polling-loop';
import { nextRetryDelayMs } from './domain/retry-schedule';
import { SendResult, WebhookSender } from './webhook-sender';

const BATCH_SIZE = 20;
/** Beyond the send timeout, so a live worker never loses its lease mid-request. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Delivers pending webhook deliveries. Rows are claimed with FOR UPDATE SKIP LOCKED plus a lease
 * (`locked_until`), so any number of replicas can run and a crashed worker's rows are retried.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private readonly loop: PollingLoop;
  private readonly held = new HeldClaims();
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly sender: WebhookSender,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
  ) {
    this.loop = new PollingLoop(this.logger, config.workerPollIntervalMs, () => this.deliverDue());
  }

  onApplicationBootstrap(): void {
    if (this.config.workersEnabled) {
      this.loop.start();
    }
  }

  /**
   * Graceful shutdown: no new ticks, claimed deliveries not yet sent are skipped, requests already sent are
   * awaited and recorded, then every delivery still leased by this process is released for another instance.
   * After a crash (kill -9) nothing is released: those rows wait for their lease to expire.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
    await this.releaseHeldClaims();
  }

  /** Deliveries were just committed: look now instead of at the next poll. */
  kick(): void {
    this.loop.kick();
  }

  async deliverDue(): Promise<boolean> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.config.webhookTimeoutMs + LEASE_MARGIN_MS);
    this.held.prune(now);
    const claimed = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE webhook_deliveries SET locked_until = ${leaseUntil.toISOString()}::timestamptz
      WHERE id IN (
        SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.status = 'pending' AND e.enabled
          AND d.next_attempt_at <= ${now.toISOString()}::timestamptz
          AND (d.locked_until IS NULL OR d.locked_until <= ${now.toISOString()}::timestamptz)
        ORDER BY d.next_attempt_at
        LIMIT ${BATCH_SIZE}
        FOR UPDATE OF d SKIP LOCKED)
      RETURNING id`;
    this.held.add(
      claimed.map(({ id }) => id),
      leaseUntil,
    );
    if (claimed.length === 0) {
      return false;
    }
    const deliveries = await this.prisma.webhookDelivery.findMany({
      where: { id: { in: claimed.map(({ id }) => id) } },
      include: { event: true, endpoint: true },
    });
    await Promise.all(
      deliveries.map(async (delivery) => {
        if (this.stopping) {
          return; // not sent: released on shutdown
        }
        const startedAt = this.clock.now();
        const result = await this.sender.send({
          url: delivery.endpoint.url,
          secret: delivery.endpoint.secret,
          eventId: delivery.event.id,
          body: delivery.event.body,
          requestId: delivery.event.requestId ?? delivery.event.id,
          timestamp: startedAt,
        });
        await this.recordAttempt(delivery, leaseUntil, startedAt, result);
        this.held.done(delivery.id);
      }),
    );
    return claimed.length === BATCH_SIZE;
  }

  private async releaseHeldClaims(): Promise<void> {
    let released = 0;
    for (const { lease, ids } of this.held.drain()) {
      const { count } = await this.prisma.webhookDelivery.updateMany({
        where: { id: { in: ids }, lockedUntil: lease },
        data: { lockedUntil: null },
      });
      released += count;
    }
    if (released > 0) {
      this.logger.log(`released ${released} claimed deliveries on shutdown`);
    }
  }

  private async recordAttempt(
    delivery: { id: string; attemptCount: number; retryIndex: number },
    leaseUntil: Date,
    startedAt: Date,
    result: SendResult,
  ): Promise<void> {
    const finishedAt = this.clock.now();
    const attemptNumber = delivery.attemptCount + 1;
    const outcome = this.nextState(delivery.retryIndex, result, finishedAt);

    const recorded = await this.prisma.$transaction(async (tx) => {
      // Matching our own lease guards against a redelivery or another replica having taken the row over.
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: delivery.id, lockedUntil: leaseUntil },
        data: {
          ...outcome,
          attemptCount: attemptNumber,
          lockedUntil: null,
          lastStatusCode: result.statusCode,
          lastError: result.error,
          updatedAt: finishedAt,
        },
      });
      if (count === 0) {
        return false;
      }
      await tx.webhookDeliveryAttempt.create({
        data: {
          deliveryId: delivery.id,
          attemptNumber,
          statusCode: result.statusCode,
          error: result.error,
          durationMs: result.durationMs,
          responseSnippet: result.responseSnippet,
          startedAt,
          finishedAt,
        },
      });
      return true;
    });
    if (!recorded) {
      this.logger.warn(`delivery ${delivery.id}: lease lost before the attempt was recorded`);
    } else if (outcome.status === WebhookDeliveryStatus.failed) {
      this.logger.warn(`delivery ${delivery.id} failed after ${attemptNumber} attempts: ${result.error}`);
    }
  }

  /** Delivered, dead-lettered, or the next retry per the schedule (with jitter). */
  private nextState(retryIndex: number, result: SendResult, finishedAt: Date) {
    if (result.delivered) {
      return { status: WebhookDeliveryStatus.succeeded, deliveredAt: finishedAt, nextAttemptAt: null };
    }
    const delayMs = nextRetryDelayMs(this.config.webhookRetryScheduleMs, retryIndex, this.random);
    if (delayMs === null) {
      return { status: WebhookDeliveryStatus.failed, nextAttemptAt: null };
    }
    return { nextAttemptAt: new Date(finishedAt.getTime() + delayMs), retryIndex: retryIndex + 1 };
  }
}
