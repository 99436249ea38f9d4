import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock } from '../platform/time/clock';
import { withStoredTraceContext } from '../platform/tracing/trace-context';
import { DispatchingWorker } from '../platform/workers/dispatching-worker';
import { WorkSignal, WorkTopic } from '../platform/workers/work-signal';

/** Beyond the simulated processing time, so a live worker never loses its lease mid-attempt. */
const LEASE_MARGIN_MS = 30_000;

/** A claimed row the simulation attempts: its id and how many attempts it already has. */
export interface AttemptLease {
  readonly id: string;
  readonly attemptCount: number;
  /** W3C trace context of the request that created the row (null when tracing was off): its attempts continue it. */
  readonly traceContext: string | null;
}

/**
 * Attempts leased rows (payments, refunds) against the simulated card network, `concurrency` at once (a
 * DispatchingWorker): each attempt waits one round trip of `simulationDelayMs`, then the subclass decides and
 * records it under the lease. A new row is normally leased by the request that creates it and attempted as soon
 * as it is written (it reserves on the worker's `topic` of the WorkSignal, then hands over the committed row);
 * polling picks up retries and everything else. Rows are claimed
 * with FOR UPDATE SKIP LOCKED plus a lease (`simulationDelayMs` + 30 s), so replicas never attempt the same row
 * and a crashed worker's rows come back when its lease expires. At shutdown, attempts still waiting on the card
 * network are handed back (`release`) for another instance.
 * The base of PaymentProcessingWorker and RefundProcessingWorker; it lives in neither feature folder so that
 * refunds need not import payments (payments imports refunds: a payment shows its refunds).
 */
export abstract class SimulatedAttemptWorker<Lease extends AttemptLease> extends DispatchingWorker<Lease> {
  /** Aborted when shutdown starts: attempts still waiting on the (simulated) card network are abandoned. */
  private readonly shutdown = new AbortController();

  protected constructor(
    enabled: boolean,
    pollIntervalMs: number,
    concurrency: number,
    private readonly simulationDelayMs: number,
    protected readonly clock: Clock,
    /** What a row is, for logs: `payment`, `refund`. */
    private readonly noun: string,
    signal: WorkSignal,
    topic: WorkTopic<Lease>,
  ) {
    super(enabled, pollIntervalMs, concurrency);
    setMaxListeners(concurrency + 1, this.shutdown.signal); // one listener per attempt in flight
    signal.listen(topic, {
      // A row about to be written: leased to this process when a slot is free (the slot is then reserved).
      reserve: (now) => (this.reserveSlot() ? this.leaseFrom(now) : null),
      // Its write has ended: attempt the row (written) or free the slot (null).
      committed: (lease) => this.startReserved(lease),
      wake: () => this.pollNow(),
    });
  }

  /** Claims up to `limit` due rows until `leaseUntil` (FOR UPDATE SKIP LOCKED). */
  protected abstract claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Lease[]>;

  /** Hands a claimed row back unattempted, so another instance may attempt it now. */
  protected abstract release(lease: Lease): Promise<void>;

  /** Decides attempt `attemptNumber` and records it under the lease; false when the lease was lost (nothing written). */
  protected abstract decideAndRecord(
    lease: Lease,
    attemptNumber: number,
    startedAt: Date,
    finishedAt: Date,
  ): Promise<boolean>;

  override async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await super.beforeApplicationShutdown();
  }

  protected claim(limit: number): Promise<Lease[]> {
    const now = this.clock.now();
    return this.claimDue(now, this.leaseFrom(now), limit);
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.simulationDelayMs + LEASE_MARGIN_MS);
  }

  protected async process(lease: Lease): Promise<void> {
    try {
      // A span `payment processing` / `refund processing` in the trace of the request that created the row.
      await withStoredTraceContext(`${this.noun} processing`, lease.traceContext, () => this.attempt(lease));
    } catch (error) {
      // A database error while recording: the lease expires and the attempt is made again.
      this.logger.error({ err: error, [`${this.noun}Id`]: lease.id }, `${this.noun} attempt failed`);
    }
  }

  private async attempt(lease: Lease): Promise<void> {
    const attemptNumber = lease.attemptCount + 1;
    const startedAt = this.clock.now();
    try {
      await sleep(this.simulationDelayMs, undefined, { signal: this.shutdown.signal }); // the simulated round trip to the card network
    } catch (error) {
      if (!this.shutdown.signal.aborted) throw error;
      await this.release(lease); // shutting down before anything was decided: another instance takes it now
      return;
    }
    if (!(await this.decideAndRecord(lease, attemptNumber, startedAt, this.clock.now()))) {
      this.logger.warn(`${this.noun} ${lease.id}: lease lost, attempt ${attemptNumber} discarded`);
    }
  }
}
