import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Database } from '../platform/database/database';
import { Clock, CLOCK, RANDOM_SOURCE, RandomSource } from '../platform/time/clock';
import { WorkSignal } from '../platform/workers/work-signal';
import { decideAttempt } from './domain/payment-simulation';
import { PaymentAttemptsService } from './payment-attempts.service';
import { PAYMENT_ATTEMPTS } from './payment-work';
import { SimulatedAttemptWorker } from '../card-network/simulated-attempt-worker';
import { claimDuePayments, PaymentLease, releasePayment } from './payment.repository';

/**
 * Attempts due `processing` payments, PROCESSING_CONCURRENCY at once: one simulated card-network attempt each
 * (see SimulatedAttemptWorker for leasing, dispatch on creation, polling and shutdown), whose answer
 * PaymentAttemptsService records: a retry, or the terminal outcome with its event and deliveries.
 */
@Injectable()
export class PaymentProcessingWorker extends SimulatedAttemptWorker<PaymentLease> {
  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly attempts: PaymentAttemptsService,
    work: WorkSignal,
    @Inject(CLOCK) clock: Clock,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
  ) {
    super(
      config.workersEnabled,
      config.workerPollIntervalMs,
      config.processingConcurrency,
      config.simulationDelayMs,
      clock,
      'payment',
      work,
      PAYMENT_ATTEMPTS,
    );
  }

  protected claimDue(now: Date, leaseUntil: Date, limit: number): Promise<PaymentLease[]> {
    return claimDuePayments(this.db, now, leaseUntil, limit);
  }

  protected release(lease: PaymentLease): Promise<void> {
    return releasePayment(this.db, lease);
  }

  protected decideAndRecord(
    lease: PaymentLease,
    attemptNumber: number,
    startedAt: Date,
    finishedAt: Date,
  ): Promise<boolean> {
    const decision = decideAttempt({
      paymentMethod: lease.paymentMethod,
      attemptNumber,
      successRate: this.config.simulationSuccessRate,
      random: this.random,
    });
    return this.attempts.recordAttempt(lease, decision, startedAt, finishedAt);
  }
}
