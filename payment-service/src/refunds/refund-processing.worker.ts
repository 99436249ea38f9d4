import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { Refund, RefundAttempt } from '../generated/prisma/client';
import { decideRefundAttempt, RefundAttemptDecision } from '../payments/domain/payment-simulation';
import { Database } from '../platform/database/database';
import { Clock, CLOCK } from '../platform/time/clock';
import { SimulatedAttemptWorker } from '../payments/simulated-attempt-worker';
import { insertEventWithDeliveries, WrittenDelivery } from '../webhooks/event.repository';
import { composeRefundEvent, PaymentEvent } from '../webhooks/payment-event';
import { WebhookDeliveryWorker } from '../webhooks/webhook-delivery.worker';
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
    private readonly deliveries: WebhookDeliveryWorker,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(config.workersEnabled, config.workerPollIntervalMs, config.processingConcurrency, config.simulationDelayMs, clock, 'refund');
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
