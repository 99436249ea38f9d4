import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Database } from '../platform/database/database';
import { Clock, CLOCK } from '../platform/time/clock';
import { withStoredTraceContext } from '../platform/tracing/trace-context';
import { DispatchingWorker } from '../platform/workers/dispatching-worker';
import { WorkSignal } from '../platform/workers/work-signal';
import { WEBHOOK_DELIVERIES, WrittenEvent } from './webhook-delivery-work';
import { WebhookDeliveryAttemptsService } from './webhook-delivery-attempts.service';
import { claimDueDeliveries, DeliveryLease, releaseDelivery, unleaseDeliveries } from './webhook-delivery.repository';

/** Beyond the send timeout, so a live worker never loses its lease mid-request. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Hands pending webhook deliveries to WebhookDeliveryAttemptsService (send + record), up to
 * WEBHOOK_DELIVERY_CONCURRENCY at once (a DispatchingWorker): a slow receiver holds up only its own deliveries.
 * A delivery is normally leased by the statement that writes its event and sent right after it commits
 * (WEBHOOK_DELIVERIES on the WorkSignal); polling picks up retries and the rest, at once when a redelivery
 * raises the topic. Rows are claimed with FOR UPDATE SKIP LOCKED plus a lease (`locked_until`), so any number
 * of replicas can run and a crashed worker's rows are retried when the lease expires.
 */
@Injectable()
export class WebhookDeliveryWorker extends DispatchingWorker<DeliveryLease> {
  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly attempts: WebhookDeliveryAttemptsService,
    @Inject(CLOCK) private readonly clock: Clock,
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
    this.startReserved({
      ...first,
      eventId: event.id,
      body: event.body,
      requestId: event.requestId,
      traceContext: event.traceContext,
      attemptCount: 0,
      retryIndex: 0,
      leaseUntil,
    });
    await unleaseDeliveries(
      this.db,
      others.map((delivery) => delivery.id),
    );
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
      // A span `webhook delivery` in the trace of the processing that wrote the event: the POST carries it on.
      await withStoredTraceContext('webhook delivery', lease.traceContext, () => this.attempts.attempt(lease));
    } catch (error) {
      // A database error while recording: the lease expires and the delivery is sent again (receivers dedupe on webhook-id).
      this.logger.error({ err: error, deliveryId: lease.id }, 'webhook delivery failed');
    }
  }
}
