import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { decideRefundAttempt } from './domain/refund-simulation';
import { Database } from '../platform/database/database';
import { Clock, CLOCK } from '../platform/time/clock';
import { WorkSignal } from '../platform/workers/work-signal';
import { SimulatedAttemptWorker } from '../card-network/simulated-attempt-worker';
import { RefundAttemptsService } from './refund-attempts.service';
import { REFUND_ATTEMPTS } from './refund-work';
import { claimDueRefunds, RefundLease, releaseRefund } from './refund.repository';

/**
 * Attempts `pending` refunds exactly as PaymentProcessingWorker attempts payments (see SimulatedAttemptWorker),
 * with its own PROCESSING_CONCURRENCY slots: one simulated card-network attempt each, whose answer
 * RefundAttemptsService records with its `refund.succeeded` / `refund.failed` event and deliveries.
 */
@Injectable()
export class RefundProcessingWorker extends SimulatedAttemptWorker<RefundLease> {
  constructor(
    config: AppConfig,
    private readonly db: Database,
    private readonly attempts: RefundAttemptsService,
    work: WorkSignal,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(
      config.workersEnabled,
      config.workerPollIntervalMs,
      config.processingConcurrency,
      config.simulationDelayMs,
      clock,
      'refund',
      work,
      REFUND_ATTEMPTS,
    );
  }

  protected claimDue(now: Date, leaseUntil: Date, limit: number): Promise<RefundLease[]> {
    return claimDueRefunds(this.db, now, leaseUntil, limit);
  }

  protected release(lease: RefundLease): Promise<void> {
    return releaseRefund(this.db, lease);
  }

  protected decideAndRecord(
    lease: RefundLease,
    _attemptNumber: number,
    startedAt: Date,
    finishedAt: Date,
  ): Promise<boolean> {
    return this.attempts.recordAttempt(
      lease,
      decideRefundAttempt({ paymentMethod: lease.paymentMethod }),
      startedAt,
      finishedAt,
    );
  }
}
