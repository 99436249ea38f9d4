import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Payment, PaymentAttempt } from '../generated/prisma/client';
import { Database } from '../platform/database/database';
import { currentTraceContext } from '../platform/tracing/trace-context';
import { WorkSignal } from '../platform/workers/work-signal';
import { composeEvent } from '../webhooks/payment-event';
import { WEBHOOK_DELIVERIES } from '../webhooks/webhook-delivery-work';
import { AttemptDecision, PROCESSING_RETRY_DELAY_MS, shouldRetry } from './domain/payment-simulation';
import { attemptsOf, PaymentLease, recordRetry, recordSettlement } from './payment.repository';
import { toPaymentResponse } from './payment.mapper';
import { PAYMENT_METRICS, paymentLabels } from './payment.metrics';

/** The payment state transition of one processing attempt (PaymentProcessingWorker makes the attempts). */
@Injectable()
export class PaymentAttemptsService {
  constructor(
    private readonly db: Database,
    private readonly work: WorkSignal,
  ) {}

  /**
   * Records the card network's answer to the next attempt of a leased payment, one statement either way: a retry
   * (attempt + next due time), or the terminal outcome with its event and deliveries (see recordSettlement), the
   * first delivery sent right after commit when a send slot is free. False when the lease was lost (nothing written).
   */
  async recordAttempt(
    lease: PaymentLease,
    decision: AttemptDecision,
    startedAt: Date,
    finishedAt: Date,
  ): Promise<boolean> {
    const attemptNumber = lease.attemptCount + 1;
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
      const retried = await recordRetry(
        this.db,
        lease,
        attempt,
        new Date(finishedAt.getTime() + PROCESSING_RETRY_DELAY_MS),
      );
      if (retried) PAYMENT_METRICS.attempts.inc({ outcome: decision.outcome });
      return retried;
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
    const event = composeEvent({
      type: decision.outcome === 'succeeded' ? 'payment.succeeded' : 'payment.failed',
      object: toPaymentResponse({ ...settled, attempts: ledger, refunds: [] }), // refunds need a succeeded payment: none yet
      sequence: settled.eventSequence,
      createdAt: finishedAt,
    });
    const deliveries = this.work.reserve(WEBHOOK_DELIVERIES, finishedAt);
    let written: Awaited<ReturnType<typeof recordSettlement>> = null;
    // The processing's own trace context (this runs in its span): the event's deliveries continue it.
    const traceContext = currentTraceContext();
    try {
      written = await recordSettlement(
        this.db,
        lease,
        settled,
        attempt,
        event,
        deliveries?.leaseUntil ?? null,
        traceContext,
      );
      if (written !== null) {
        // One statement, committed: the payment is settled.
        PAYMENT_METRICS.attempts.inc({ outcome: decision.outcome });
        PAYMENT_METRICS.payments.inc(paymentLabels(decision.outcome, attempt.failureCode));
      }
      return written !== null;
    } finally {
      // The delivery slot reserved: the first delivery is sent now that the settlement is committed, or the slot is freed.
      await deliveries?.committed(
        written && {
          event: { ...event, requestId: settled.requestId, traceContext },
          deliveries: written,
          leaseUntil: deliveries.leaseUntil,
        },
      );
    }
  }
}
