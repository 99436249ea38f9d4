import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ChargeMessage } from '../billing/charge.repository';
import { applyPaymentFailed } from '../billing/payment-outcomes';
import { AppConfig } from '../config/app-config';
import { lockInvoicePayment } from '../invoices/invoice.repository';
import { Clock, CLOCK } from '../platform/clock';
import { Database, SqlTransaction } from '../platform/database/database';
import { DispatchingWorker } from '../platform/workers/dispatching-worker';
import { OUTBOX_BACKOFF, retryDelayMs } from './domain/retry-backoff';
import {
  claimDueOutboxMessages,
  OutboxLease,
  OutboxResult,
  recordOutboxResult,
  recordOutcomeUnknown,
  recordPaymentRequested,
  releaseOutboxMessage,
} from './outbox.repository';
import { PaymentGatewayClient } from './payment-gateway.client';
import { PAYMENT_INITIATE_TOPIC, PaymentInitiatePayload } from './payment-initiate.message';

/** A claimed row is hidden from other workers this long (well beyond one HTTP call); if this worker dies, the row comes back. */
const MIN_LEASE_MS = 60_000;

/**
 * Delivers `payment.initiate` outbox messages to the payment service, up to OUTBOX_CONCURRENCY at once
 * (a DispatchingWorker). A message is normally claimed by the transaction that writes it and sent right
 * after its commit (`prepareMessage`); polling every OUTBOX_POLL_INTERVAL_MS picks up retries and everything
 * else. Rows are claimed with FOR UPDATE SKIP LOCKED plus a lease (`locked_until`), so any number of
 * replicas can run it, and a result is recorded only while this worker still holds the lease it claimed.
 */
@Injectable()
export class PaymentOutboxWorker extends DispatchingWorker<OutboxLease> {
  constructor(
    private readonly db: Database,
    private readonly gateway: PaymentGatewayClient,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super(config.workersEnabled, config.outbox.pollIntervalMs, config.outbox.concurrency);
  }

  /**
   * For a `payment.initiate` message the caller is about to write in `tx` at `now` (system time): the
   * message, claimed by this process (a send slot reserved, `leaseUntil` set) when a slot is free — it is
   * then sent as soon as `tx` commits — or unclaimed, for polling to send.
   */
  prepareMessage(tx: SqlTransaction, payload: PaymentInitiatePayload, requestId: string | null, now: Date): ChargeMessage {
    const claimed = this.reserveSlot();
    const message: ChargeMessage = { id: randomUUID(), payload, requestId, now, leaseUntil: claimed ? this.leaseFrom(now) : null };
    if (message.leaseUntil) {
      const lease: OutboxLease = { id: message.id, topic: PAYMENT_INITIATE_TOPIC, payload, attempts: 1, requestId, leaseUntil: message.leaseUntil };
      tx.onFinish((committed) => this.startReserved(committed ? lease : null));
    }
    return message;
  }

  /** Sends every due message one after another until none is left. For tests with workers disabled. */
  async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.claim(10);
      if (claimed.length === 0) return;
      for (const lease of claimed) await this.process(lease);
    }
  }

  protected claim(limit: number): Promise<OutboxLease[]> {
    const now = this.clock.now();
    return claimDueOutboxMessages(this.db, now, this.leaseFrom(now), limit);
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + Math.max(MIN_LEASE_MS, 3 * this.config.paymentService.timeoutMs));
  }

  protected async process(lease: OutboxLease): Promise<void> {
    try {
      if (this.shuttingDown) {
        // Claimed on commit while shutdown began: hand it back so another instance sends it now.
        await releaseOutboxMessage(this.db, lease);
        return;
      }
      await this.deliver(lease);
    } catch (error) {
      // A database error while recording: the lease expires and the row is sent again (same Idempotency-Key).
      this.logger.error({ err: error, outboxMessageId: lease.id, requestId: lease.requestId }, 'outbox delivery failed');
    }
  }

  private async deliver(lease: OutboxLease): Promise<void> {
    if (lease.topic !== PAYMENT_INITIATE_TOPIC) {
      await this.markFailed(lease, `unknown topic ${lease.topic}`);
      return;
    }
    const payload = lease.payload;
    const result = await this.gateway.createPayment(payload, lease.requestId);
    const now = this.clock.now();
    switch (result.kind) {
      case 'accepted': {
        if (!(await recordPaymentRequested(this.db, lease, result.gatewayPaymentId, now))) return this.leaseLost(lease, 'accepted');
        this.logger.log({ requestId: lease.requestId, invoicePaymentId: payload.invoicePaymentId, gatewayPaymentId: result.gatewayPaymentId }, 'payment requested');
        return;
      }
      case 'retryable': {
        const delay = retryDelayMs(lease.attempts, OUTBOX_BACKOFF);
        const retry: OutboxResult = { status: 'retry', nextAttemptAt: new Date(now.getTime() + delay), lastError: result.error };
        if (!(await recordOutboxResult(this.db, lease, retry))) return this.leaseLost(lease, 'retryable');
        this.logger.warn({ requestId: lease.requestId, invoicePaymentId: payload.invoicePaymentId, attempt: lease.attempts, retryInMs: delay, error: result.error }, 'payment request failed; will retry');
        return;
      }
      case 'unknown': {
        // The payment may exist at the gateway: say so on the invoice payment, and retry with the same
        // Idempotency-Key (the gateway answers the payment it created, never a second one).
        const delay = retryDelayMs(lease.attempts, OUTBOX_BACKOFF);
        const recorded = await recordOutcomeUnknown(this.db, lease, new Date(now.getTime() + delay), `outcome unknown: ${result.error}`, now);
        if (!recorded) return this.leaseLost(lease, 'unknown');
        this.logger.warn({ requestId: lease.requestId, invoicePaymentId: payload.invoicePaymentId, attempt: lease.attempts, retryInMs: delay, error: result.error }, 'payment request outcome unknown; will retry with the same Idempotency-Key');
        return;
      }
      case 'rejected':
        await this.markFailed(lease, result.error, payload);
        return;
    }
  }

  private async markFailed(lease: OutboxLease, error: string, payload?: PaymentInitiatePayload): Promise<void> {
    const now = this.clock.now();
    const recorded = await this.db.transaction(async (tx) => {
      if (!(await recordOutboxResult(tx, lease, { status: 'failed', lastError: error }))) return false;
      if (!payload) return true;
      // Same lock order as the webhook: the invoice payment, then (in applyPaymentFailed) its subscription.
      const payment = await lockInvoicePayment(tx, payload.invoicePaymentId);
      if (payment) {
        await applyPaymentFailed(
          tx,
          payment,
          { code: 'payment_request_rejected', message: error, gatewayPaymentId: null },
          { causeType: 'system', causeId: lease.requestId },
          now,
          this.config.billing.dunningScheduleMs,
        );
      }
      return true;
    });
    if (!recorded) return this.leaseLost(lease, 'rejected');
    this.logger.error({ requestId: lease.requestId, outboxMessageId: lease.id, error }, 'payment request rejected; giving up');
  }

  /**
   * The lease expired and another worker (or a restart) claimed the row again while this send was in
   * flight: that worker owns the row now, so this result is discarded. The payment service still
   * charges once: both sends carry the same Idempotency-Key.
   */
  private leaseLost(lease: OutboxLease, outcome: string): void {
    this.logger.warn(
      { requestId: lease.requestId, outboxMessageId: lease.id, leaseUntil: lease.leaseUntil.toISOString(), outcome },
      'outbox lease lost before the result was recorded; result discarded',
    );
  }
}
