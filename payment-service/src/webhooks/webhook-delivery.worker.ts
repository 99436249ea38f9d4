import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { WebhookDeliveryStatus } from '../generated/prisma/enums';
import { Database } from '../platform/database/database';
import { Clock, CLOCK, RANDOM_SOURCE, RandomSource } from '../platform/time/clock';
import { DispatchingWorker } from '../platform/workers/dispatching-worker';
import { WorkSignal } from '../platform/workers/work-signal';
import { nextRetryDelayMs } from './domain/retry-schedule';
import { WEBHOOK_DELIVERIES, WrittenEvent } from './webhook-delivery-work';
import { claimDueDeliveries, DeliveryLease, DeliveryState, recordDeliveryAttempt, releaseDelivery, unleaseDeliveries } from './webhook-delivery.repository';
import { SendResult, WebhookSender } from './webhook-sender';

/** Beyond the send timeout, so a live worker never loses its lease mid-request. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Delivers pending webhook deliveries, up to WEBHOOK_DELIVERY_CONCURRENCY at once (a DispatchingWorker):
 * a slow receiver holds up only its own deliveries. A delivery is normally leased by the statement that
 * writes its event and sent right after it commits (WEBHOOK_DELIVERIES on the WorkSignal); polling picks up
 * retries and the rest, at once when a redelivery raises the topic. Rows
 * are claimed with FOR UPDATE SKIP LOCKED plus a lease (`locked_until`), so any number of replicas can
 * run and a crashed worker's rows are retried when the lease expires.
 */
@Injectable()
export class WebhookDeliveryWorker extends DispatchingWorker<DeliveryLease> {
  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly sender: WebhookSender,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
    work: WorkSignal,
  ) {
    super(config.workersEnabled, config.workerPollIntervalMs, config.webhookDeliveryConcurrency);
    work.listen(WEBHOOK_DELIVERIES, {
      // An event about to be written: its deliveries are leased to this process when a send slot is free (then reserved).
      reserve: (now) => (this.reserveSlot() ? this.leaseFrom(now) : null),
      committed: (written) => this.eventWritten(written),
      // Deliveries were made due (redelivery): look now instead of at the next poll.
      wake: () => this.pollNow(),
    });
  }

  /**
   * The event a reservation was for is written (null: it was not): sends the first leased delivery now and
   * leaves any others to polling, or frees the reserved slot.
   */
  private async eventWritten(written: WrittenEvent | null): Promise<void> {
    const [first, ...others] = written?.deliveries ?? [];
    if (!written || !first) return this.startReserved(null);
    const { event, leaseUntil } = written;
    this.startReserved({ ...first, eventId: event.id, body: event.body, requestId: event.requestId, attemptCount: 0, retryIndex: 0, leaseUntil });
    await unleaseDeliveries(this.db, others.map((delivery) => delivery.id));
  }

  protected claim(limit: number): Promise<DeliveryLease[]> {
    const now = this.clock.now();
    return claimDueDeliveries(this.db, now, this.leaseFrom(now), limit);
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.config.webhookTimeoutMs + LEASE_MARGIN_MS);
  }

  protected async process(lease: DeliveryLease): Promise<void> {
    try {
      if (this.shuttingDown) {
        await releaseDelivery(this.db, lease); // not sent: another instance sends it now
        return;
      }
      const startedAt = this.clock.now();
      const result = await this.sender.send({
        url: lease.url,
        secret: lease.secret,
        eventId: lease.eventId,
        body: lease.body,
        requestId: lease.requestId ?? lease.eventId,
        timestamp: startedAt,
      });
      const finishedAt = this.clock.now();
      const state = this.nextState(lease.retryIndex, result, finishedAt);
      const recorded = await recordDeliveryAttempt(this.db, lease, state, { ...result, startedAt, finishedAt });
      if (!recorded) {
        this.logger.warn(`delivery ${lease.id}: lease lost before the attempt was recorded`);
      } else if (state.status === WebhookDeliveryStatus.failed) {
        this.logger.warn(`delivery ${lease.id} failed after ${lease.attemptCount + 1} attempts: ${result.error}`);
      }
    } catch (error) {
      // A database error while recording: the lease expires and the delivery is sent again (receivers dedupe on webhook-id).
      this.logger.error({ err: error, deliveryId: lease.id }, 'webhook delivery failed');
    }
  }

  /** Delivered, dead-lettered, or the next retry per the schedule (with jitter). */
  private nextState(retryIndex: number, result: SendResult, finishedAt: Date): DeliveryState {
    if (result.delivered) {
      return { status: WebhookDeliveryStatus.succeeded, deliveredAt: finishedAt };
    }
    const delayMs = nextRetryDelayMs(this.config.webhookRetryScheduleMs, retryIndex, this.random);
    if (delayMs === null) {
      return { status: WebhookDeliveryStatus.failed };
    }
    return { status: WebhookDeliveryStatus.pending, nextAttemptAt: new Date(finishedAt.getTime() + delayMs), retryIndex: retryIndex + 1 };
  }
}
