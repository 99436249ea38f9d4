import { Global, Injectable, Module } from '@nestjs/common';

/**
 * Work signals: how a service hands work to a background worker without importing (or injecting) it. Services
 * raise; workers listen. The signal knows no feature: a topic is a typed token a feature declares next to the
 * rows it carries (e.g. `new WorkTopic<PaymentLease>('payment-attempts')`), imported by the service that raises
 * it and by the worker that listens to it.
 *
 * Two ways to signal:
 * - `raise(topic)`: rows of the topic were made due (e.g. a redelivery): the listening worker polls now instead
 *   of at its next interval.
 * - dispatch on commit, for a row the caller is about to write: `reserve(topic, now)` before the write asks the
 *   listening worker for a slot. When it has one free (workers enabled, not shutting down), the answer is a
 *   Reservation: the caller writes `leaseUntil` as the row's lease, so the row is this process's and no poll
 *   (here or on another replica) claims it. Once the write has ended (committed or not), the caller hands over
 *   what it committed with `reservation.committed(row)` — exactly once, after commit, typically in a `finally`
 *   — and the worker starts it at once: no poll, no second claiming statement. `committed(null)` (rolled back,
 *   nothing inserted, an idempotent replay) frees the slot. No listener or no free slot: `reserve` answers null
 *   and the row is written unleased, for polling.
 *
 * The committed row travels through the signal (not through the database) because the worker already holds
 * the lease and the slot: it only needs the row as written. The slot itself stays the worker's (its
 * concurrency limit); the signal only routes a reservation to it, so one process can never start more jobs
 * than the worker has slots, whoever raised them.
 *
 * One listener per topic (a second `listen` throws). One WorkSignal per application: WorkSignalModule is
 * global, so any feature module can inject it.
 */

/** A kind of work, and the row type a committed reservation of it carries. Declared by the feature. */
export class WorkTopic<Row> {
  /** Type only (never set): ties the topic to its row type. */
  declare readonly row?: Row;

  constructor(readonly name: string) {}
}

/** What a worker answers to the signal of its topic. */
export interface WorkListener<Row> {
  /**
   * A row of the topic is about to be written at `now`: the lease to write with it when the worker can take it
   * at once (a slot is then held for it until `committed`), or null.
   */
  reserve(now: Date): Date | null;
  /** The write a reservation was for has ended: start `row` (committed), or free the held slot (null). */
  committed(row: Row | null): Promise<void> | void;
  /** Rows of the topic were made due: look for work now. */
  wake(): void;
}

/** A slot held for a row being written; end it with `committed` exactly once, after the write. */
export interface Reservation<Row> {
  /** Write it as the row's lease (`locked_until`): the row belongs to this process until then. */
  readonly leaseUntil: Date;
  /** The row as committed (the worker starts it now), or null when nothing was committed (the slot is freed). */
  committed(row: Row | null): Promise<void>;
}

@Injectable()
export class WorkSignal {
  private readonly listeners = new Map<string, WorkListener<never>>();

  /** Makes `listener` the one worker of `topic`. */
  listen<Row>(topic: WorkTopic<Row>, listener: WorkListener<Row>): void {
    if (this.listeners.has(topic.name)) throw new Error(`work topic "${topic.name}" already has a listener`);
    this.listeners.set(topic.name, listener);
  }

  /** Before writing a row of `topic` at `now`: a slot held for it, or null (write it unleased, for polling). */
  reserve<Row>(topic: WorkTopic<Row>, now: Date): Reservation<Row> | null {
    const listener = this.listeners.get(topic.name) as WorkListener<Row> | undefined;
    const leaseUntil = listener?.reserve(now) ?? null;
    if (!listener || !leaseUntil) return null;
    let ended = false;
    return {
      leaseUntil,
      committed: async (row) => {
        if (ended) throw new Error(`work topic "${topic.name}": reservation already ended`);
        ended = true;
        await listener.committed(row);
      },
    };
  }

  /** Rows of `topic` were made due: its worker polls now (a no-op without a listener). */
  raise<Row>(topic: WorkTopic<Row>): void {
    this.listeners.get(topic.name)?.wake();
  }
}

/** Provides the application's one WorkSignal to every module. */
@Global()
@Module({ providers: [WorkSignal], exports: [WorkSignal] })
export class WorkSignalModule {}
