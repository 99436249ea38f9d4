import { Inject, Injectable, Logger } from '@nestjs/common';
import { settleInvoicePayment } from '../billing/payment-outcomes';
import { settleInvoiceRefund } from '../billing/refund-outcomes';
import { AppConfig } from '../config/app-config';
import { Clock, CLOCK } from '../platform/time/clock';
import { Database, SqlTransaction } from '../platform/database/database';
import { withStoredTraceContext } from '../platform/tracing/trace-context';
import { OUTBOX_BACKOFF, retryDelayMs } from './domain/retry-backoff';
import {
  checkChargeStillOwed,
  claimDueOutboxMessages,
  OutboxLease,
  OutboxResult,
  recordOutboxResult,
  recordOutcomeUnknown,
  recordPaymentRequested,
  recordRefundRequested,
  releaseOutboxMessage,
} from './outbox.repository';
import { GatewayCreateResult, PaymentGatewayClient } from './payment-gateway.client';
import { PAYMENT_INITIATE_TOPIC, PaymentInitiatePayload } from './messages/payment-initiate.message';
import { REFUND_CREATE_TOPIC, RefundCreatePayload } from './messages/refund-create.message';

/** A claimed row is hidden from other workers this long (well beyond one HTTP call); if this worker dies, the row comes back. */
const MIN_LEASE_MS = 60_000;

/**
 * Delivers `payment.initiate` (charge) and `refund.create` (refund) outbox messages to the payment service:
 * claims due rows (FOR UPDATE SKIP LOCKED plus a lease, `locked_until`, so any number of replicas can
 * deliver), sends one, and records its result only while the lease it claimed is still held. The
 * PaymentOutboxWorker runs it (claim on commit, polling); see there for when.
 */
@Injectable()
export class OutboxDeliveryService {
  private readonly logger = new Logger(OutboxDeliveryService.name);

  constructor(
    private readonly db: Database,
    private readonly gateway: PaymentGatewayClient,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Claims (leases) up to `limit` due messages for this process. */
  claimDue(limit: number): Promise<OutboxLease[]> {
    const now = this.clock.now();
    return claimDueOutboxMessages(this.db, now, this.leaseFrom(now), limit);
  }

  /** Until when a message claimed at `now` (system time) is this process's. */
  leaseFrom(now: Date): Date {
    return new Date(now.getTime() + Math.max(MIN_LEASE_MS, 3 * this.config.paymentService.timeoutMs));
  }

  /** Sends one claimed message and records the result; never throws (a failure to record is logged: the lease expires and the row is sent again). */
  async deliver(lease: OutboxLease): Promise<void> {
    try {
      // A span `outbox send` in the trace of the operation that wrote the message: the POST it makes carries it on.
      await withStoredTraceContext('outbox send', lease.traceContext, () => this.send(lease));
    } catch (error) {
      // A database error while recording: the lease expires and the row is sent again (same Idempotency-Key).
      this.logger.error(
        { err: error, outboxMessageId: lease.id, requestId: lease.requestId },
        'outbox delivery failed',
      );
    }
  }

  /** Hands a claimed message back unsent, for another instance to send now (shutdown); never throws. */
  async handBack(lease: OutboxLease): Promise<void> {
    try {
      await releaseOutboxMessage(this.db, lease);
    } catch (error) {
      this.logger.error(
        { err: error, outboxMessageId: lease.id, requestId: lease.requestId },
        'outbox delivery failed',
      );
    }
  }

  private async send(lease: OutboxLease): Promise<void> {
    switch (lease.topic) {
      case PAYMENT_INITIATE_TOPIC:
        return this.deliverCharge(lease, lease.payload as PaymentInitiatePayload);
      case REFUND_CREATE_TOPIC:
        return this.deliverRefund(lease, lease.payload as RefundCreatePayload);
      default:
        return this.markFailed(lease, `unknown topic ${lease.topic}`, () => Promise.resolve());
    }
  }

  /**
   * A charge is sent only while it is owed: checked just before the send (checkChargeStillOwed), so a cancel or
   * a settlement that committed after the message was written stops it. One that commits during the HTTP call
   * cannot; that money is refunded when its outcome arrives (settleInvoicePayment).
   */
  private async deliverCharge(lease: OutboxLease, payload: PaymentInitiatePayload): Promise<void> {
    const check = await checkChargeStillOwed(this.db, lease, payload.invoicePaymentId, this.clock.now());
    if (check === 'lease_lost') return this.leaseLost(lease, 'not owed');
    if (check === 'canceled' || check === 'already_at_gateway') {
      const why = check === 'canceled' ? 'the invoice is no longer collectible' : 'the gateway already has the payment';
      this.logger.log(
        { requestId: lease.requestId, invoicePaymentId: payload.invoicePaymentId, outboxMessageId: lease.id },
        `charge not sent: ${why}`,
      );
      return;
    }
    const result = await this.gateway.createPayment(payload, lease.requestId);
    const context = { requestId: lease.requestId, invoicePaymentId: payload.invoicePaymentId };
    if (result.kind === 'accepted') {
      if (!(await recordPaymentRequested(this.db, lease, result.id, this.clock.now())))
        return this.leaseLost(lease, 'accepted');
      this.logger.log({ ...context, gatewayPaymentId: result.id }, 'payment requested');
      return;
    }
    if (result.kind === 'unknown') {
      // The payment may exist at the gateway: say so on the invoice payment, and retry with the same
      // Idempotency-Key (the gateway answers the payment it created, never a second one).
      const now = this.clock.now();
      const delay = retryDelayMs(lease.attempts, OUTBOX_BACKOFF);
      const recorded = await recordOutcomeUnknown(
        this.db,
        lease,
        new Date(now.getTime() + delay),
        `outcome unknown: ${result.error}`,
        now,
      );
      if (!recorded) return this.leaseLost(lease, 'unknown');
      this.logger.warn(
        { ...context, attempt: lease.attempts, retryInMs: delay, error: result.error },
        'payment request outcome unknown; will retry with the same Idempotency-Key',
      );
      return;
    }
    return this.recordUnaccepted(lease, result, context, (tx, now) =>
      // Same lock order as the webhook: settleInvoicePayment locks the invoice payment, then its subscription.
      settleInvoicePayment(
        tx,
        payload.invoicePaymentId,
        {
          kind: 'failed',
          code: 'payment_request_rejected',
          message: result.kind === 'rejected' ? result.error : null,
          gateway: null,
        },
        { causeType: 'system', causeId: lease.requestId, eventType: 'payment_request.rejected' },
        now,
        this.config.billing.dunningScheduleMs,
      ),
    );
  }

  /** A refund request: the same Idempotency-Key on every send, so a retry after a timeout refunds once. */
  private async deliverRefund(lease: OutboxLease, payload: RefundCreatePayload): Promise<void> {
    const result = await this.gateway.createRefund(payload, lease.requestId);
    const context = { requestId: lease.requestId, invoiceRefundId: payload.invoiceRefundId };
    if (result.kind === 'accepted') {
      if (!(await recordRefundRequested(this.db, lease, result.id, this.clock.now())))
        return this.leaseLost(lease, 'accepted');
      this.logger.log({ ...context, gatewayRefundId: result.id }, 'refund requested');
      return;
    }
    return this.recordUnaccepted(lease, result, context, (tx, now) =>
      settleInvoiceRefund(
        tx,
        { invoiceRefundId: payload.invoiceRefundId, gatewayRefundId: null },
        {
          kind: 'failed',
          gatewayRefundId: null,
          code: 'refund_request_rejected',
          message: result.kind === 'rejected' ? result.error : null,
        },
        now,
      ),
    );
  }

  /**
   * A send that was not accepted: retried later (a retryable error, or a refund's unknown outcome: same
   * Idempotency-Key), or, when the payment service refused the request itself, the message `failed` and
   * `onRejected` applied in the same transaction.
   */
  private async recordUnaccepted(
    lease: OutboxLease,
    result: Exclude<GatewayCreateResult, { kind: 'accepted' }>,
    context: Record<string, unknown>,
    onRejected: (tx: SqlTransaction, now: Date) => Promise<unknown>,
  ): Promise<void> {
    if (result.kind === 'rejected') return this.markFailed(lease, result.error, onRejected);
    const delay = retryDelayMs(lease.attempts, OUTBOX_BACKOFF);
    const retry: OutboxResult = {
      status: 'retry',
      nextAttemptAt: new Date(this.clock.now().getTime() + delay),
      lastError: result.error,
    };
    if (!(await recordOutboxResult(this.db, lease, retry))) return this.leaseLost(lease, result.kind);
    this.logger.warn(
      { ...context, topic: lease.topic, attempt: lease.attempts, retryInMs: delay, error: result.error },
      'request to the payment service failed; will retry',
    );
  }

  private async markFailed(
    lease: OutboxLease,
    error: string,
    onRejected: (tx: SqlTransaction, now: Date) => Promise<unknown>,
  ): Promise<void> {
    const now = this.clock.now();
    const recorded = await this.db.transaction(async (tx) => {
      if (!(await recordOutboxResult(tx, lease, { status: 'failed', lastError: error }))) return false;
      await onRejected(tx, now);
      return true;
    });
    if (!recorded) return this.leaseLost(lease, 'rejected');
    this.logger.error(
      { requestId: lease.requestId, outboxMessageId: lease.id, topic: lease.topic, error },
      'request rejected by the payment service; giving up',
    );
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
