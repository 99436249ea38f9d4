import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { Refund, RefundAttempt } from '../generated/prisma/client';
import { decideRefundAttempt, RefundAttemptDecision } from '../payments/domain/payment-simulation';
import { Database } from '../platform/database/database';
import { Clock, CLOCK } from '../platform/time/clock';
import { WorkSignal } from '../platform/workers/work-signal';
import { SimulatedAttemptWorker } from '../payments/simulated-attempt-worker';
import { insertEventWithDeliveries, WrittenDelivery } from '../webhooks/event.repository';
import { composeRefundEvent, PaymentEvent } from '../webhooks/payment-event';
import { WEBHOOK_DELIVERIES } from '../webhooks/webhook-delivery-work';
import { REFUND_ATTEMPTS } from './refund-work';
import { claimDueRefunds, RefundLease, refundAttemptsOf, releaseRefund, settleRefund } from './refund.repository';
import { toRefundResource } from './refund.resource';

/**
 * Processes `pending` refunds exactly as PaymentProcessingWorker processes payments (see SimulatedAttemptWorker),
 * with its own PROCESSING_CONCURRENCY slots: one simulated card-network attempt each, recorded with its
 * `refund.succeeded` / `refund.failed` event and deliveries.
 */
@Injectable()
export class RefundProcessingWorker extends SimulatedAttemptWorker<RefundLease> {
  constructor(
    config: AppConfig,
    private readonly db: Database,
    private readonly work: WorkSignal,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(config.workersEnabled, config.workerPollIntervalMs, config.processingConcurrency, config.simulationDelayMs, clock, 'refund', work, REFUND_ATTEMPTS);
  }

  protected claimDue(now: Date, leaseUntil: Date, limit: number): Promise<RefundLease[]> {
    return claimDueRefunds(this.db, now, leaseUntil, limit);
  }

  protected release(lease: RefundLease): Promise<void> {
    return releaseRefund(this.db, lease);
  }

  protected decideAndRecord(lease: RefundLease, attemptNumber: number, startedAt: Date, finishedAt: Date): Promise<boolean> {
    return this.record(lease, attemptNumber, decideRefundAttempt({ paymentMethod: lease.paymentMethod }), startedAt, finishedAt);
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
    const deliveries = this.work.reserve(WEBHOOK_DELIVERIES, finishedAt);
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
        const about = { paymentId: settled.paymentId, requestId: settled.requestId, createdAt: finishedAt };
        return { event, deliveries: await insertEventWithDeliveries(tx, event, about, deliveries?.leaseUntil ?? null) };
      });
      return written !== null;
    } finally {
      // The delivery slot reserved: the first delivery is sent now that the settlement is committed, or the slot is freed.
      await deliveries?.committed(
        written && { event: { id: written.event.id, body: written.event.body, requestId: settled.requestId }, deliveries: written.deliveries, leaseUntil: deliveries.leaseUntil },
      );
    }
  }
}
