import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DispatchingWorker } from '../platform/workers/dispatching-worker';
import { WorkSignal } from '../platform/workers/work-signal';
import { OutboxDeliveryService } from './outbox-delivery.service';
import { OutboxLease } from './outbox.repository';
import { CHARGES_TO_SEND, PAYMENT_INITIATE_TOPIC, WrittenCharge } from './messages/payment-initiate.message';

/**
 * Runs the OutboxDeliveryService up to OUTBOX_CONCURRENCY messages at once (a DispatchingWorker). A charge is
 * normally leased by the transaction that writes it and sent right after its commit: the worker listens to
 * CHARGES_TO_SEND on the WorkSignal and, when a send slot is free, answers the reservation with a lease.
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
    signal.listen(CHARGES_TO_SEND, {
      // A charge about to be written at `now` (system time): leased to this process when a send slot is free (then reserved).
      reserve: (now) => (this.reserveSlot() ? this.delivery.leaseFrom(now) : null),
      // Its transaction has ended: send it (committed) or free the slot (null).
      committed: (charge) => this.startReserved(charge && firstSend(charge)),
      // Messages were made due: look now instead of at the next poll.
      wake: () => this.pollNow(),
    });
  }

  protected claim(limit: number): Promise<OutboxLease[]> {
    return this.delivery.claimDue(limit);
  }

  /** Claimed on commit while shutdown began: handed back so another instance sends it now. */
  protected process(lease: OutboxLease): Promise<void> {
    return this.shuttingDown ? this.delivery.handBack(lease) : this.delivery.deliver(lease);
  }
}

/** A charge written leased: its first send, as a claim of the row would have returned it. */
function firstSend(charge: WrittenCharge): OutboxLease {
  return {
    id: charge.id,
    topic: PAYMENT_INITIATE_TOPIC,
    payload: charge.payload,
    attempts: 1,
    requestId: charge.requestId,
    traceContext: charge.traceContext,
    leaseUntil: charge.leaseUntil,
  };
}
