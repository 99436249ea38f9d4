import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { Payment, PaymentAttempt } from '../generated/prisma/client';
import { Database } from '../platform/database/database';
import { Clock, CLOCK, RANDOM_SOURCE, RandomSource } from '../platform/time/clock';
import { DispatchingWorker } from '../platform/workers/dispatching-worker';
import { composePaymentEvent } from '../webhooks/payment-event';
import { WebhookDeliveryWorker } from '../webhooks/webhook-delivery.worker';
import { AttemptDecision, decideAttempt, PROCESSING_RETRY_DELAY_MS, shouldRetry } from './domain/payment-simulation';
import { toPaymentResource } from './payment.resource';
import { attemptsOf, claimDuePayments, PaymentLease, recordRetry, recordSettlement, releasePayment } from './payment.repository';

/** Beyond the simulated processing time, so a live worker never loses its lease mid-attempt. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Processes due `processing` payments, PROCESSING_CONCURRENCY at once (a DispatchingWorker): one
 * simulated card-network attempt each. A new payment is normally leased by the request that creates it
 * and attempted right away (`leaseNewPayment`); polling picks up retries and everything else. Rows are
 * claimed with FOR UPDATE SKIP LOCKED plus a lease, so replicas never process the same attempt and a
 * crashed worker's payments are picked up again when its lease expires.
 */
@Injectable()
export class PaymentProcessingWorker extends DispatchingWorker<PaymentLease> {
  /** Aborted when shutdown starts: attempts still waiting on the (simulated) card network are abandoned. */
  private readonly shutdown = new AbortController();

  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly deliveries: WebhookDeliveryWorker,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
  ) {
    super(config.workersEnabled, config.workerPollIntervalMs, config.processingConcurrency);
    setMaxListeners(config.processingConcurrency + 1, this.shutdown.signal); // one listener per attempt in flight
  }

  /**
   * For a payment about to be inserted at `now`: the lease to write with it when this process may attempt
   * it right away (a slot is then reserved), or null. Follow with `newPaymentInserted`.
   */
  leaseNewPayment(now: Date): Date | null {
    return this.reserveSlot() ? this.leaseFrom(now) : null;
  }

  /** The insert that `leaseNewPayment` was for is done: attempt the payment (inserted) or free the slot (null). */
  newPaymentInserted(lease: PaymentLease | null): void {
    this.startReserved(lease);
  }

  override async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await super.beforeApplicationShutdown();
  }

  protected claim(limit: number): Promise<PaymentLease[]> {
    const now = this.clock.now();
    return claimDuePayments(this.db, now, this.leaseFrom(now), limit);
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.config.simulationDelayMs + LEASE_MARGIN_MS);
  }

  protected async process(lease: PaymentLease): Promise<void> {
    try {
      await this.attempt(lease);
    } catch (error) {
      // A database error while recording: the lease expires and the attempt is made again.
      this.logger.error({ err: error, paymentId: lease.id }, 'payment attempt failed');
    }
  }

  private async attempt(lease: PaymentLease): Promise<void> {
    const attemptNumber = lease.attemptCount + 1;
    const startedAt = this.clock.now();
    try {
      await sleep(this.config.simulationDelayMs, undefined, { signal: this.shutdown.signal }); // the simulated round trip to the card network
    } catch (error) {
      if (!this.shutdown.signal.aborted) throw error;
      await releasePayment(this.db, lease); // shutting down before anything was decided: another instance takes it now
      return;
    }
    const decision = decideAttempt({
      paymentMethod: lease.paymentMethod,
      attemptNumber,
      successRate: this.config.simulationSuccessRate,
      random: this.random,
    });
    const recorded = await this.record(lease, attemptNumber, decision, startedAt, this.clock.now());
    if (!recorded) {
      this.logger.warn(`payment ${lease.id}: lease lost, attempt ${attemptNumber} discarded`);
    }
  }

  /**
   * Records the attempt under the lease, one statement either way: a retry (attempt + next due time), or the
   * terminal outcome with its event and deliveries (see recordSettlement). False when the lease was lost.
   */
  private async record(lease: PaymentLease, attemptNumber: number, decision: AttemptDecision, startedAt: Date, finishedAt: Date): Promise<boolean> {
    const failure = decision.outcome === 'failed' ? decision : undefined;
    const attempt: PaymentAttempt = {
      id: randomUUID(),
      paymentId: lease.id,
      attemptNumber,
      outcome: decision.outcome,
      failureCode: failure?.failureCode ?? null,
      failureMessage: failure?.failureMessage ?? null,
      startedAt,
      finishedAt,
    };
    if (shouldRetry(decision, attemptNumber)) {
      return recordRetry(this.db, lease, attempt, new Date(finishedAt.getTime() + PROCESSING_RETRY_DELAY_MS));
    }
    const { leaseUntil, ...claimed } = lease;
    const settled: Payment = {
      ...claimed,
      status: decision.outcome,
      failureCode: attempt.failureCode,
      failureMessage: attempt.failureMessage,
      attemptCount: attemptNumber,
      nextAttemptAt: null,
      lockedUntil: null,
      eventSequence: lease.eventSequence + 1,
      processedAt: finishedAt,
      updatedAt: finishedAt,
    };
    // The first attempt is the whole ledger; after retries, the earlier attempts are read too.
    const ledger = attemptNumber === 1 ? [attempt] : [...(await attemptsOf(this.db, lease.id)), attempt];
    const event = composePaymentEvent({
      type: decision.outcome === 'succeeded' ? 'payment.succeeded' : 'payment.failed',
      payment: toPaymentResource({ ...settled, attempts: ledger, refunds: [] }), // refunds need a succeeded payment: none yet
      sequence: settled.eventSequence,
      createdAt: finishedAt,
    });
    const deliveryLease = this.deliveries.leaseNewDeliveries(finishedAt);
    let written: Awaited<ReturnType<typeof recordSettlement>> = null;
    try {
      written = await recordSettlement(this.db, lease, settled, attempt, event, deliveryLease);
      return written !== null;
    } finally {
      if (deliveryLease) await this.deliveries.eventWritten({ ...event, requestId: settled.requestId }, written, deliveryLease);
    }
  }
}
