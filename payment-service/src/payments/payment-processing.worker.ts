import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { Payment, PaymentAttempt } from '../generated/prisma/client';
import { Database } from '../platform/database/database';
import { Clock, CLOCK, RANDOM_SOURCE, RandomSource } from '../platform/time/clock';
import { WorkSignal } from '../platform/workers/work-signal';
import { composePaymentEvent } from '../webhooks/payment-event';
import { WEBHOOK_DELIVERIES } from '../webhooks/webhook-delivery-work';
import { AttemptDecision, decideAttempt, PROCESSING_RETRY_DELAY_MS, shouldRetry } from './domain/payment-simulation';
import { PAYMENT_ATTEMPTS } from './payment-work';
import { toPaymentResource } from './payment.resource';
import { SimulatedAttemptWorker } from './simulated-attempt-worker';
import { attemptsOf, claimDuePayments, PaymentLease, recordRetry, recordSettlement, releasePayment } from './payment.repository';

/**
 * Processes due `processing` payments, PROCESSING_CONCURRENCY at once: one simulated card-network attempt each
 * (see SimulatedAttemptWorker for leasing, dispatch on creation, polling and shutdown). A retryable decline is
 * attempted again after PROCESSING_RETRY_DELAY_MS; a terminal outcome is recorded with its event and deliveries.
 */
@Injectable()
export class PaymentProcessingWorker extends SimulatedAttemptWorker<PaymentLease> {
  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly work: WorkSignal,
    @Inject(CLOCK) clock: Clock,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
  ) {
    super(config.workersEnabled, config.workerPollIntervalMs, config.processingConcurrency, config.simulationDelayMs, clock, 'payment', work, PAYMENT_ATTEMPTS);
  }

  protected claimDue(now: Date, leaseUntil: Date, limit: number): Promise<PaymentLease[]> {
    return claimDuePayments(this.db, now, leaseUntil, limit);
  }

  protected release(lease: PaymentLease): Promise<void> {
    return releasePayment(this.db, lease);
  }

  protected decideAndRecord(lease: PaymentLease, attemptNumber: number, startedAt: Date, finishedAt: Date): Promise<boolean> {
    const decision = decideAttempt({
      paymentMethod: lease.paymentMethod,
      attemptNumber,
      successRate: this.config.simulationSuccessRate,
      random: this.random,
    });
    return this.record(lease, attemptNumber, decision, startedAt, finishedAt);
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
    const deliveries = this.work.reserve(WEBHOOK_DELIVERIES, finishedAt);
    let written: Awaited<ReturnType<typeof recordSettlement>> = null;
    try {
      written = await recordSettlement(this.db, lease, settled, attempt, event, deliveries?.leaseUntil ?? null);
      return written !== null;
    } finally {
      // The delivery slot reserved: the first delivery is sent now that the settlement is committed, or the slot is freed.
      await deliveries?.committed(written && { event: { ...event, requestId: settled.requestId }, deliveries: written, leaseUntil: deliveries.leaseUntil });
    }
  }
}
