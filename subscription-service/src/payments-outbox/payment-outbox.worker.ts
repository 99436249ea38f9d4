import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DispatchingWorker } from '../platform/workers/dispatching-worker';
import { WorkClaim, WorkSignal } from '../platform/workers/work-signal';
import { OutboxDeliveryService } from './outbox-delivery.service';
import { OutboxLease } from './outbox.repository';
import { PAYMENT_INITIATE_TOPIC, PaymentInitiateWork } from './messages/payment-initiate.message';

/**
 * Runs the OutboxDeliveryService up to OUTBOX_CONCURRENCY messages at once (a DispatchingWorker). A charge is
 * normally claimed by the transaction that writes it and sent right after its commit: the worker listens to
 * `payment.initiate` on the WorkSignal and, when a send slot is free, answers with a lease (see WorkSignal).
 * Polling every OUTBOX_POLL_INTERVAL_MS picks up retries and everything else.
 */
@Injectable()
export class PaymentOutboxWorker extends DispatchingWorker<OutboxLease> {
  constructor(
    private readonly delivery: OutboxDeliveryService,
    signal: WorkSignal,
    config: AppConfig,
  ) {
    super(config.workersEnabled, config.outbox.pollIntervalMs, config.outbox.concurrency);
    signal.onRaise<PaymentInitiateWork>(PAYMENT_INITIATE_TOPIC, (work, at) => this.claimOnCommit(work, at));
  }

  /** A charge being written at `at` (system time): claimed for this process when a send slot is free, sent once committed. */
  private claimOnCommit(work: PaymentInitiateWork, at: Date): WorkClaim | null {
    if (!this.reserveSlot()) return null;
    const leaseUntil = this.delivery.leaseFrom(at);
    const lease: OutboxLease = {
      id: work.id,
      topic: PAYMENT_INITIATE_TOPIC,
      payload: work.payload,
      attempts: 1,
      requestId: work.requestId,
      leaseUntil,
    };
    return { leaseUntil, start: (committed) => this.startReserved(committed ? lease : null) };
  }

  protected claim(limit: number): Promise<OutboxLease[]> {
    return this.delivery.claimDue(limit);
  }

  /** Claimed on commit while shutdown began: handed back so another instance sends it now. */
  protected process(lease: OutboxLease): Promise<void> {
    return this.shuttingDown ? this.delivery.handBack(lease) : this.delivery.deliver(lease);
  }
}
