import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { Refund, RefundAttempt } from '../generated/prisma/client';
import { decideRefundAttempt, RefundAttemptDecision } from '../payments/domain/payment-simulation';
import { Database } from '../platform/database/database';
import { Clock, CLOCK } from '../platform/time/clock';
import { DispatchingWorker } from '../platform/workers/dispatching-worker';
import { insertEventWithDeliveries, WrittenDelivery } from '../webhooks/event.repository';
import { composeRefundEvent, PaymentEvent } from '../webhooks/payment-event';
import { WebhookDeliveryWorker } from '../webhooks/webhook-delivery.worker';
import { claimDueRefunds, RefundLease, refundAttemptsOf, releaseRefund, settleRefund } from './refund.repository';
import { toRefundResource } from './refund.resource';

/** Beyond the simulated processing time, so a live worker never loses its lease mid-attempt. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Processes `pending` refunds exactly as PaymentProcessingWorker processes payments: PROCESSING_CONCURRENCY
 * refund attempts at once (its own slots), one simulated card-network round trip of SIMULATION_DELAY_MS each.
 * A new refund is normally leased by the transaction that creates it and attempted once that commits
 * (`leaseNewRefund`); polling picks up the rest (rows written while every slot was busy, rows of a crashed or
 * stopped replica once their lease expires). Rows are claimed with FOR UPDATE SKIP LOCKED plus a lease.
 */
@Injectable()
export class RefundProcessingWorker extends DispatchingWorker<RefundLease> {
  /** Aborted when shutdown starts: attempts still waiting on the (simulated) card network are abandoned. */
  private readonly shutdown = new AbortController();

  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly deliveries: WebhookDeliveryWorker,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super(config.workersEnabled, config.workerPollIntervalMs, config.processingConcurrency);
    setMaxListeners(config.processingConcurrency + 1, this.shutdown.signal); // one listener per attempt in flight
  }

  /**
   * For a refund about to be inserted at `now`: the lease to write with it when this process may attempt it
   * right away (a slot is then reserved), or null. Follow with `newRefundCommitted`.
   */
  leaseNewRefund(now: Date): Date | null {
    return this.reserveSlot() ? this.leaseFrom(now) : null;
  }

  /** The transaction `leaseNewRefund` was for has ended: attempt the refund (committed) or free the slot (null). */
  newRefundCommitted(lease: RefundLease | null): void {
    this.startReserved(lease);
  }

  override async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await super.beforeApplicationShutdown();
  }

  protected claim(limit: number): Promise<RefundLease[]> {
    const now = this.clock.now();
    return claimDueRefunds(this.db, now, this.leaseFrom(now), limit);
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.config.simulationDelayMs + LEASE_MARGIN_MS);
  }

  protected async process(lease: RefundLease): Promise<void> {
    try {
      await this.attempt(lease);
    } catch (error) {
      // A database error while recording: the lease expires and the attempt is made again.
      this.logger.error({ err: error, refundId: lease.id }, 'refund attempt failed');
    }
  }

  private async attempt(lease: RefundLease): Promise<void> {
    const attemptNumber = lease.attemptCount + 1;
    const startedAt = this.clock.now();
    try {
      await sleep(this.config.simulationDelayMs, undefined, { signal: this.shutdown.signal }); // the simulated round trip to the card network
    } catch (error) {
      if (!this.shutdown.signal.aborted) throw error;
      await releaseRefund(this.db, lease); // shutting down before anything was decided: another instance takes it now
      return;
    }
    const decision = decideRefundAttempt({ paymentMethod: lease.paymentMethod });
    const recorded = await this.record(lease, attemptNumber, decision, startedAt, this.clock.now());
    if (!recorded) {
      this.logger.warn(`refund ${lease.id}: lease lost, attempt ${attemptNumber} discarded`);
    }
  }

  /**
   * Records the terminal outcome under the lease in ONE transaction: the refund settled, its attempt, the
   * payment's next event sequence, the `refund.succeeded` / `refund.failed` event and one delivery per enabled
   * endpoint (sent after commit). False when the lease was lost (nothing written).
   */
  private async record(lease: RefundLease, attemptNumber: number, decision: RefundAttemptDecision, startedAt: Date, finishedAt: Date): Promise<boolean> {
    const failure = decision.outcome === 'failed' ? decision : undefined;
    const attempt: RefundAttempt = {
      id: randomUUID(),
      refundId: lease.id,
      attemptNumber,
      outcome: decision.outcome,
      failureCode: failure?.failureCode ?? null,
      failureMessage: failure?.failureMessage ?? null,
      startedAt,
      finishedAt,
    };
    const { leaseUntil, paymentMethod, ...claimed } = lease;
    const settled: Refund = {
      ...claimed,
      status: decision.outcome,
      failureCode: attempt.failureCode,
      failureMessage: attempt.failureMessage,
      attemptCount: attemptNumber,
      nextAttemptAt: null,
      lockedUntil: null,
      processedAt: finishedAt,
      updatedAt: finishedAt,
    };
    // The first attempt is the whole ledger; after a crash mid-attempt nothing was recorded either, so this is rare.
    const ledger = attemptNumber === 1 ? [attempt] : [...(await refundAttemptsOf(this.db, lease.id)), attempt];
    const deliveryLease = this.deliveries.leaseNewDeliveries(finishedAt);
    let written: { event: PaymentEvent; deliveries: WrittenDelivery[] } | null = null;
    try {
      written = await this.db.transaction(async (tx) => {
        const sequence = await settleRefund(tx, lease, settled, attempt);
        if (sequence === null) return null;
        const event = composeRefundEvent({
          type: decision.outcome === 'succeeded' ? 'refund.succeeded' : 'refund.failed',
          refund: toRefundResource({ ...settled, attempts: ledger }),
          sequence,
          createdAt: finishedAt,
        });
        const deliveries = await insertEventWithDeliveries(tx, event, { paymentId: settled.paymentId, requestId: settled.requestId, createdAt: finishedAt }, deliveryLease);
        return { event, deliveries };
      });
      return written !== null;
    } finally {
      if (deliveryLease) {
        const event = written?.event ?? { id: '', body: '' };
        await this.deliveries.eventWritten({ id: event.id, body: event.body, requestId: settled.requestId }, written?.deliveries ?? null, deliveryLease);
      }
    }
  }
}
