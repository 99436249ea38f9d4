import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PAYMENT_INITIATE_TOPIC, PaymentInitiatePayload } from '../billing/invoice-issuer';
import { applyPaymentFailed } from '../billing/payment-outcomes';
import { Clock, CLOCK } from '../platform/clock';
import { PrismaService, Tx } from '../platform/database/prisma.service';
import { PollingWorker } from '../platform/workers/polling-worker';
import { Prisma } from '../generated/prisma/client';
import { OUTBOX_BACKOFF, retryDelayMs } from './domain/retry-backoff';
import { PaymentGatewayClient } from './payment-gateway.client';

interface ClaimedMessage {
  id: string;
  topic: string;
  payload: PaymentInitiatePayload;
  attempts: number;
  request_id: string | null;
}

/** A claimed row and the lease (its locked_until) this worker holds on it. */
interface Lease {
  readonly message: ClaimedMessage;
  readonly leaseUntil: Date;
}

const BATCH_SIZE = 10;
/** A claimed row is hidden from other workers this long (well beyond one HTTP call); if this worker dies, the row comes back. */
const MIN_LEASE_MS = 60_000;

/**
 * Delivers `payment.initiate` outbox messages to the payment service. Polls every
 * OUTBOX_POLL_INTERVAL_MS (a PollingWorker) and is kicked right after a commit that wrote a message.
 * Rows are claimed with FOR UPDATE SKIP LOCKED plus a lease, so any number of replicas can run it;
 * a result is recorded only while this worker still holds the lease it claimed.
 */
@Injectable()
export class PaymentOutboxWorker extends PollingWorker {
  constructor(
    private readonly prisma: PrismaService,
    private readonly gateway: PaymentGatewayClient,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super(config.workersEnabled, config.outbox.pollIntervalMs);
  }

  protected tick(): Promise<boolean> {
    return this.deliverBatch();
  }

  /** Deliver now instead of waiting for the next poll (no-op when workers are disabled). */
  kick(): void {
    this.pollNow();
  }

  /** Processes every due message; returns when none is left. For tests with workers disabled. */
  async drain(): Promise<void> {
    while (await this.deliverBatch());
  }

  /** Claims and delivers one batch; true when the batch was full (more may be due). */
  private async deliverBatch(): Promise<boolean> {
    const claimed = await this.claimDue();
    for (const [index, lease] of claimed.entries()) {
      if (this.shuttingDown) {
        await this.release(claimed.slice(index));
        return false;
      }
      await this.deliver(lease);
    }
    return claimed.length === BATCH_SIZE;
  }

  /**
   * Shutdown: hands back rows claimed but not sent (lease cleared, the claim's attempt undone) so
   * another instance sends them now instead of after the lease. Only where this worker's lease still holds.
   */
  private async release(leases: Lease[]): Promise<void> {
    let released = 0;
    for (const lease of leases) {
      const { count } = await this.prisma.outboxMessage.updateMany({
        where: { id: lease.message.id, status: 'pending', lockedUntil: lease.leaseUntil },
        data: { lockedUntil: null, attempts: { decrement: 1 } },
      });
      released += count;
    }
    this.logger.log({ released }, 'shutdown: released unsent outbox claims');
  }

  private async claimDue(): Promise<Lease[]> {
    const now = this.clock.now();
    const leaseMs = Math.max(MIN_LEASE_MS, 3 * this.config.paymentService.timeoutMs);
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const rows = await this.prisma.$queryRaw<ClaimedMessage[]>`
      UPDATE outbox_messages
         SET locked_until = ${leaseUntil}, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM outbox_messages
          WHERE status = 'pending'
            AND next_attempt_at <= ${now}
            AND (locked_until IS NULL OR locked_until <= ${now})
          ORDER BY next_attempt_at
          LIMIT ${BATCH_SIZE}
          FOR UPDATE SKIP LOCKED)
      RETURNING id, topic, payload, attempts, request_id`;
    return rows.map((message) => ({ message, leaseUntil }));
  }

  private async deliver(lease: Lease): Promise<void> {
    const { message } = lease;
    if (message.topic !== PAYMENT_INITIATE_TOPIC) {
      await this.markFailed(lease, `unknown topic ${message.topic}`);
      return;
    }
    const payload = message.payload;
    const result = await this.gateway.createPayment(payload, message.request_id);
    const now = this.clock.now();
    switch (result.kind) {
      case 'accepted': {
        const recorded = await this.prisma.$transaction(async (tx) => {
          if (!(await recordIfLeaseHeld(tx, lease, { status: 'sent', sentAt: now, lockedUntil: null, lastError: null }))) return false;
          // A webhook may already have settled the payment (and stored the gateway id); only a still-pending one moves on.
          await tx.invoicePayment.updateMany({
            where: { id: payload.invoicePaymentId, status: { in: ['pending', 'unknown'] } },
            data: { status: 'processing', gatewayPaymentId: result.gatewayPaymentId, updatedAt: now },
          });
          return true;
        });
        if (!recorded) return this.leaseLost(lease, 'accepted');
        this.logger.log({ requestId: message.request_id, invoicePaymentId: payload.invoicePaymentId, gatewayPaymentId: result.gatewayPaymentId }, 'payment requested');
        return;
      }
      case 'retryable': {
        const delay = retryDelayMs(message.attempts, OUTBOX_BACKOFF);
        const data = { nextAttemptAt: new Date(now.getTime() + delay), lockedUntil: null, lastError: result.error };
        if (!(await recordIfLeaseHeld(this.prisma, lease, data))) return this.leaseLost(lease, 'retryable');
        this.logger.warn({ requestId: message.request_id, invoicePaymentId: payload.invoicePaymentId, attempt: message.attempts, retryInMs: delay, error: result.error }, 'payment request failed; will retry');
        return;
      }
      case 'unknown': {
        // The payment may exist at the gateway: say so on the invoice payment, and retry with the same
        // Idempotency-Key (the gateway answers the payment it created, never a second one).
        const delay = retryDelayMs(message.attempts, OUTBOX_BACKOFF);
        const data = { nextAttemptAt: new Date(now.getTime() + delay), lockedUntil: null, lastError: `outcome unknown: ${result.error}` };
        const recorded = await this.prisma.$transaction(async (tx) => {
          if (!(await recordIfLeaseHeld(tx, lease, data))) return false;
          await tx.invoicePayment.updateMany({ where: { id: payload.invoicePaymentId, status: 'pending' }, data: { status: 'unknown', updatedAt: now } });
          return true;
        });
        if (!recorded) return this.leaseLost(lease, 'unknown');
        this.logger.warn({ requestId: message.request_id, invoicePaymentId: payload.invoicePaymentId, attempt: message.attempts, retryInMs: delay, error: result.error }, 'payment request outcome unknown; will retry with the same Idempotency-Key');
        return;
      }
      case 'rejected':
        await this.markFailed(lease, result.error, payload);
        return;
    }
  }

  private async markFailed(lease: Lease, error: string, payload?: PaymentInitiatePayload): Promise<void> {
    const { message } = lease;
    const now = this.clock.now();
    const recorded = await this.prisma.$transaction(async (tx) => {
      if (!(await recordIfLeaseHeld(tx, lease, { status: 'failed', lockedUntil: null, lastError: error }))) return false;
      if (!payload) return true;
      // Same lock order as the webhook: the invoice payment, then (in applyPaymentFailed) its subscription.
      await tx.$queryRaw`SELECT id FROM invoice_payments WHERE id = ${payload.invoicePaymentId}::uuid FOR UPDATE`;
      const payment = await tx.invoicePayment.findUnique({ where: { id: payload.invoicePaymentId }, include: { invoice: true } });
      if (payment) {
        await applyPaymentFailed(
          tx,
          payment,
          { code: 'payment_request_rejected', message: error, gatewayPaymentId: null },
          { causeType: 'system', causeId: message.request_id },
          now,
          this.config.billing.dunningScheduleMs,
        );
      }
      return true;
    });
    if (!recorded) return this.leaseLost(lease, 'rejected');
    this.logger.error({ requestId: message.request_id, outboxMessageId: message.id, error }, 'payment request rejected; giving up');
  }

  /**
   * The lease expired and another worker (or a restart) claimed the row again while this send was in
   * flight: that worker owns the row now, so this result is discarded. The payment service still
   * charges once: both sends carry the same Idempotency-Key.
   */
  private leaseLost(lease: Lease, outcome: string): void {
    this.logger.warn(
      { requestId: lease.message.request_id, outboxMessageId: lease.message.id, leaseUntil: lease.leaseUntil.toISOString(), outcome },
      'outbox lease lost before the result was recorded; result discarded',
    );
  }
}

/** Writes `data` to the claimed row only if it still carries this worker's lease; false when the lease was lost. */
async function recordIfLeaseHeld(db: Pick<Tx, 'outboxMessage'>, lease: Lease, data: Prisma.OutboxMessageUpdateManyMutationInput): Promise<boolean> {
  const { count } = await db.outboxMessage.updateMany({
    where: { id: lease.message.id, status: 'pending', lockedUntil: lease.leaseUntil },
    data,
  });
  return count === 1;
}
