import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { WebhookDeliveryStatus } from '../generated/prisma/enums';
import { Database } from '../platform/database/database';
import { Clock, CLOCK, RANDOM_SOURCE, RandomSource } from '../platform/time/clock';
import { nextRetryDelayMs } from './domain/retry-schedule';
import { DeliveryLease, DeliveryState, recordDeliveryAttempt } from './webhook-delivery.repository';
import { SendResult, WebhookSender } from './webhook-sender';
import { WEBHOOK_METRICS } from './webhook.metrics';

/** One delivery attempt of a leased webhook delivery (WebhookDeliveryWorker claims and dispatches them). */
@Injectable()
export class WebhookDeliveryAttemptsService {
  private readonly logger = new Logger(WebhookDeliveryAttemptsService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly sender: WebhookSender,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
  ) {}

  /**
   * Sends the delivery once (signed, the stored bytes) and records the attempt with the delivery's next state —
   * delivered, dead-lettered, or the next retry per the schedule — while the lease holds (a lost lease records
   * nothing). Throws only on a database error: the lease then expires and the delivery is sent again
   * (receivers dedupe on webhook-id).
   */
  async attempt(lease: DeliveryLease): Promise<void> {
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
      return;
    }
    // Recorded by one statement, so committed: count it.
    WEBHOOK_METRICS.attempts.inc({ outcome: result.delivered ? 'delivered' : 'failed' });
    if (state.status === WebhookDeliveryStatus.failed) {
      WEBHOOK_METRICS.deadLettered.inc();
      this.logger.warn(`delivery ${lease.id} failed after ${lease.attemptCount + 1} attempts: ${result.error}`);
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
    return {
      status: WebhookDeliveryStatus.pending,
      nextAttemptAt: new Date(finishedAt.getTime() + delayMs),
      retryIndex: retryIndex + 1,
    };
  }
}
