import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { storage as requestLogContext } from 'nestjs-pino/storage';
import { AppConfig } from '../config/app-config';
import { PAYMENT_INITIATE_TOPIC, PaymentInitiatePayload } from '../billing/invoice-issuer';
import { applyPaymentFailed } from '../billing/payment-outcomes';
import { Clock, CLOCK } from '../platform/clock';
import { PrismaService } from '../platform/database/prisma.service';
import { retryDelayMs } from './domain/retry-backoff';
import { PaymentGatewayClient } from './payment-gateway.client';

interface ClaimedMessage {
  id: string;
  topic: string;
  payload: PaymentInitiatePayload;
  attempts: number;
  request_id: string | null;
}

const BATCH_SIZE = 10;
/** A claimed row is hidden from other workers this long (well beyond one HTTP call); if this worker dies, the row comes back. */
const MIN_LEASE_MS = 60_000;

/**
 * Delivers `payment.initiate` outbox messages to the payment service. Polls every
 * OUTBOX_POLL_INTERVAL_MS and is kicked right after a commit that wrote a message. Rows are claimed
 * with FOR UPDATE SKIP LOCKED plus a lease, so any number of replicas can run it.
 */
@Injectable()
export class PaymentOutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PaymentOutboxWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private rerunRequested = false;
  private stopped = true;

  constructor(
    private readonly prisma: PrismaService,
    private readonly gateway: PaymentGatewayClient,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.workersEnabled) return;
    this.stopped = false;
    this.scheduleNextPoll();
  }

  /** Stops polling and lets an in-flight delivery finish while the database is still connected. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Deliver now instead of waiting for the next poll (no-op when workers are disabled). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerunRequested = true;
      return;
    }
    // Outside the kicking request's log context: each message is logged with its own requestId.
    requestLogContext.exit(() => void this.drain());
  }

  /** Processes every due message; returns when none is left. Public for tests with workers disabled. */
  async drain(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        do {
          this.rerunRequested = false;
          let claimed: ClaimedMessage[];
          do {
            claimed = await this.claimDue();
            for (const message of claimed) await this.deliver(message);
          } while (claimed.length === BATCH_SIZE);
        } while (this.rerunRequested && !this.stopped);
      } catch (error) {
        this.logger.error({ err: error }, 'outbox drain failed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private scheduleNextPoll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.drain().finally(() => this.scheduleNextPoll());
    }, this.config.outbox.pollIntervalMs);
    this.timer.unref();
  }

  private async claimDue(): Promise<ClaimedMessage[]> {
    const now = this.clock.now();
    const leaseMs = Math.max(MIN_LEASE_MS, 3 * this.config.paymentService.timeoutMs);
    const leaseUntil = new Date(now.getTime() + leaseMs);
    return this.prisma.$queryRaw<ClaimedMessage[]>`
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
  }

  private async deliver(message: ClaimedMessage): Promise<void> {
    if (message.topic !== PAYMENT_INITIATE_TOPIC) {
      await this.markFailed(message, `unknown topic ${message.topic}`);
      return;
    }
    const payload = message.payload;
    const result = await this.gateway.createPayment(payload, message.request_id);
    const now = this.clock.now();
    switch (result.kind) {
      case 'accepted':
        await this.prisma.$transaction(async (tx) => {
          await tx.outboxMessage.update({
            where: { id: message.id },
            data: { status: 'sent', sentAt: now, lockedUntil: null, lastError: null },
          });
          // A webhook may already have settled the payment (and stored the gateway id); only a still-pending one moves on.
          await tx.invoicePayment.updateMany({
            where: { id: payload.invoicePaymentId, status: 'pending' },
            data: { status: 'processing', gatewayPaymentId: result.gatewayPaymentId, updatedAt: now },
          });
        });
        this.logger.log({ requestId: message.request_id, invoicePaymentId: payload.invoicePaymentId, gatewayPaymentId: result.gatewayPaymentId }, 'payment requested');
        return;
      case 'retryable': {
        const delay = retryDelayMs(message.attempts);
        await this.prisma.outboxMessage.update({
          where: { id: message.id },
          data: { nextAttemptAt: new Date(now.getTime() + delay), lockedUntil: null, lastError: result.error },
        });
        this.logger.warn({ requestId: message.request_id, invoicePaymentId: payload.invoicePaymentId, attempt: message.attempts, retryInMs: delay, error: result.error }, 'payment request failed; will retry');
        return;
      }
      case 'rejected':
        await this.markFailed(message, result.error, payload);
        return;
    }
  }

  private async markFailed(message: ClaimedMessage, error: string, payload?: PaymentInitiatePayload): Promise<void> {
    const now = this.clock.now();
    await this.prisma.$transaction(async (tx) => {
      await tx.outboxMessage.update({
        where: { id: message.id },
        data: { status: 'failed', lockedUntil: null, lastError: error },
      });
      if (!payload) return;
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
    });
    this.logger.error({ requestId: message.request_id, outboxMessageId: message.id, error }, 'payment request rejected; giving up');
  }
}
