import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Refund, RefundAttempt } from '../generated/prisma/client';
import { RefundAttemptDecision } from './domain/refund-simulation';
import { Database } from '../platform/database/database';
import { currentTraceContext } from '../platform/tracing/trace-context';
import { WorkSignal } from '../platform/workers/work-signal';
import { insertEventWithDeliveries, WrittenDelivery } from '../webhooks/event.repository';
import { composeEvent, PaymentEvent } from '../webhooks/payment-event';
import { WEBHOOK_DELIVERIES } from '../webhooks/webhook-delivery-work';
import { RefundLease, refundAttemptsOf, settleRefund } from './refund.repository';
import { toRefundResponse } from './refund.mapper';
import { REFUND_METRICS, refundLabels } from './refund.metrics';

/** The refund state transition of one processing attempt (RefundProcessingWorker makes the attempts). */
@Injectable()
export class RefundAttemptsService {
  constructor(
    private readonly db: Database,
    private readonly work: WorkSignal,
  ) {}

  /**
   * Records the card network's answer to the next attempt of a leased refund — always terminal — in ONE
   * transaction: the refund settled, its attempt, the payment's next event sequence, the `refund.succeeded` /
   * `refund.failed` event and one delivery per enabled endpoint (the first sent right after commit when a send
   * slot is free). False when the lease was lost (nothing written).
   */
  async recordAttempt(
    lease: RefundLease,
    decision: RefundAttemptDecision,
    startedAt: Date,
    finishedAt: Date,
  ): Promise<boolean> {
    const attemptNumber = lease.attemptCount + 1;
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
    const traceContext = currentTraceContext();
    let written: { event: PaymentEvent; deliveries: WrittenDelivery[] } | null = null;
    try {
      written = await this.db.transaction(async (tx) => {
        const sequence = await settleRefund(tx, lease, settled, attempt);
        if (sequence === null) return null;
        const event = composeEvent({
          type: decision.outcome === 'succeeded' ? 'refund.succeeded' : 'refund.failed',
          object: toRefundResponse({ ...settled, attempts: ledger }),
          sequence,
          createdAt: finishedAt,
        });
        const about = {
          paymentId: settled.paymentId,
          requestId: settled.requestId,
          traceContext, // the processing's (this runs in its span): the event's deliveries continue it
          createdAt: finishedAt,
        };
        return { event, deliveries: await insertEventWithDeliveries(tx, event, about, deliveries?.leaseUntil ?? null) };
      });
      // The transaction has committed: the refund is settled.
      if (written !== null) REFUND_METRICS.refunds.inc(refundLabels(decision.outcome, attempt.failureCode));
      return written !== null;
    } finally {
      // The delivery slot reserved: the first delivery is sent now that the settlement is committed, or the slot is freed.
      await deliveries?.committed(
        written && {
          event: { id: written.event.id, body: written.event.body, requestId: settled.requestId, traceContext },
          deliveries: written.deliveries,
          leaseUntil: deliveries.leaseUntil,
        },
      );
    }
  }
}
