import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../platform/database/prisma.service';
import { Clock, CLOCK, RANDOM_SOURCE, RandomSource } from '../platform/time/clock';
import { HeldClaims } from '../platform/workers/held-claims';
import { PollingLoop } from '../platform/workers/polling-loop';
import { EventOutbox } from '../webhooks/event-outbox';
import { AttemptDecision, decideAttempt, PROCESSING_RETRY_DELAY_MS, shouldRetry } from './domain/payment-simulation';
import { toPaymentResource, WITH_ATTEMPTS } from './payment.resource';

const BATCH_SIZE = 20;
/** Beyond the simulated processing time, so a live worker never loses its lease mid-attempt. */
const LEASE_MARGIN_MS = 30_000;

interface ClaimedPayment {
  id: string;
  paymentMethod: string;
  attemptCount: number;
}

/**
 * Processes due `processing` payments: one simulated card-network attempt each. Rows are claimed with
 * FOR UPDATE SKIP LOCKED plus a lease, so replicas never process the same attempt and a crashed
 * worker's payments are picked up again when its lease expires.
 */
@Injectable()
export class PaymentProcessingWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PaymentProcessingWorker.name);
  private readonly loop: PollingLoop;
  private readonly held = new HeldClaims();
  /** Aborted when shutdown starts: attempts still waiting on the (simulated) card network are abandoned. */
  private readonly shutdown = new AbortController();

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly outbox: EventOutbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
  ) {
    this.loop = new PollingLoop(this.logger, config.workerPollIntervalMs, () => this.processDue());
    setMaxListeners(BATCH_SIZE + 1, this.shutdown.signal); // one listener per attempt in flight
  }

  onApplicationBootstrap(): void {
    if (this.config.workersEnabled) {
      this.loop.start();
    }
  }

  /**
   * Graceful shutdown: no new ticks, attempts not yet decided are abandoned, the in-flight tick finishes,
   * then every payment still leased by this process is released so another instance takes it at once
   * (instead of after the lease expires, which is what happens after a crash or kill -9).
   */
  async onModuleDestroy(): Promise<void> {
    this.shutdown.abort();
    await this.loop.stop();
    await this.releaseHeldClaims();
  }

  /** A payment was just created: look now instead of at the next poll. */
  kick(): void {
    this.loop.kick();
  }

  async processDue(): Promise<boolean> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.config.simulationDelayMs + LEASE_MARGIN_MS);
    this.held.prune(now);
    const claimed = await this.prisma.$queryRaw<ClaimedPayment[]>`
      UPDATE payments SET locked_until = ${leaseUntil.toISOString()}::timestamptz
      WHERE id IN (
        SELECT id FROM payments
        WHERE status = 'processing'
          AND next_attempt_at <= ${now.toISOString()}::timestamptz
          AND (locked_until IS NULL OR locked_until <= ${now.toISOString()}::timestamptz)
        ORDER BY next_attempt_at
        LIMIT ${BATCH_SIZE}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, payment_method AS "paymentMethod", attempt_count AS "attemptCount"`;
    this.held.add(
      claimed.map(({ id }) => id),
      leaseUntil,
    );
    await Promise.all(claimed.map((payment) => this.attempt(payment, leaseUntil)));
    return claimed.length === BATCH_SIZE;
  }

  private async attempt(payment: ClaimedPayment, leaseUntil: Date): Promise<void> {
    const attemptNumber = payment.attemptCount + 1;
    const startedAt = this.clock.now();
    try {
      await sleep(this.config.simulationDelayMs, undefined, { signal: this.shutdown.signal }); // the simulated round trip to the card network
    } catch (error) {
      if (this.shutdown.signal.aborted) {
        return; // shutting down before anything was decided: the claim is released by onModuleDestroy
      }
      throw error;
    }
    const decision = decideAttempt({
      paymentMethod: payment.paymentMethod,
      attemptNumber,
      successRate: this.config.simulationSuccessRate,
      random: this.random,
    });
    const finishedAt = this.clock.now();
    const recorded = await this.record(payment.id, attemptNumber, decision, leaseUntil, startedAt, finishedAt);
    this.held.done(payment.id); // recording cleared the lease, or someone else owns the row now
    if (!recorded) {
      this.logger.warn(`payment ${payment.id}: lease lost, attempt ${attemptNumber} discarded`);
    } else if (!shouldRetry(decision, attemptNumber)) {
      this.outbox.committed();
    }
  }

  private async releaseHeldClaims(): Promise<void> {
    let released = 0;
    for (const { lease, ids } of this.held.drain()) {
      const { count } = await this.prisma.payment.updateMany({ where: { id: { in: ids }, lockedUntil: lease }, data: { lockedUntil: null } });
      released += count;
    }
    if (released > 0) {
      this.logger.log(`released ${released} claimed payment(s) on shutdown`);
    }
  }

  /** The attempt, the payment's new state and (when terminal) its event + deliveries: one transaction. */
  private record(
    paymentId: string,
    attemptNumber: number,
    decision: AttemptDecision,
    leaseUntil: Date,
    startedAt: Date,
    finishedAt: Date,
  ): Promise<boolean> {
    const failure = decision.outcome === 'failed' ? decision : undefined;
    const retry = shouldRetry(decision, attemptNumber);
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.payment.updateMany({
        where: { id: paymentId, status: 'processing', lockedUntil: leaseUntil },
        data: retry
          ? { attemptCount: attemptNumber, nextAttemptAt: new Date(finishedAt.getTime() + PROCESSING_RETRY_DELAY_MS), lockedUntil: null, updatedAt: finishedAt }
          : {
              attemptCount: attemptNumber,
              status: decision.outcome,
              failureCode: failure?.failureCode ?? null,
              failureMessage: failure?.failureMessage ?? null,
              processedAt: finishedAt,
              nextAttemptAt: null,
              lockedUntil: null,
              eventSequence: { increment: 1 },
              updatedAt: finishedAt,
            },
      });
      if (count === 0) {
        return false;
      }
      await tx.paymentAttempt.create({
        data: {
          paymentId,
          attemptNumber,
          outcome: decision.outcome,
          failureCode: failure?.failureCode ?? null,
          failureMessage: failure?.failureMessage ?? null,
          startedAt,
          finishedAt,
        },
      });
      if (!retry) {
        const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, include: WITH_ATTEMPTS });
        await this.outbox.record(tx, {
          type: decision.outcome === 'succeeded' ? 'payment.succeeded' : 'payment.failed',
          payment: toPaymentResource(payment),
          sequence: payment.eventSequence,
          requestId: payment.requestId,
          createdAt: finishedAt,
        });
      }
      return true;
    });
  }
}
