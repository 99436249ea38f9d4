import { Injectable } from '@nestjs/common';

/** The part of a transaction a signal needs: a callback once it has committed or rolled back. */
export interface TransactionEnd {
  onFinish(callback: (committed: boolean) => void): void;
}

/** A listener's answer when it takes the raised work for this process. */
export interface WorkClaim {
  /** The lease to write the row with: this process owns it until then. */
  readonly leaseUntil: Date;
  /** Called once the transaction has ended: start the work (committed) or give the claim back (rolled back). */
  readonly start: (committed: boolean) => void;
}

/** Answers a raise synchronously: a claim, or null to leave the work to polling. Must not throw. */
export type WorkListener<Work> = (work: Work, at: Date) => WorkClaim | null;

/**
 * New work, announced by the service that writes it to the worker that will do it, without the service
 * knowing the worker (immich: services queue work, they never hold a consumer). Feature services raise;
 * workers listen (`onRaise` in their constructor). One instance per application (provided by the core
 * module), in-process only: other replicas find the work by polling.
 *
 * Design: dispatch on commit. A service raises *inside* the transaction that writes a row for a worker,
 * before writing it: `raise(topic, work, tx, at)`. The first listener of the topic that answers with a
 * claim has reserved a slot for the work in this process; `raise` returns the claim's lease, which the
 * service writes on the row (so no other replica claims it), and calls the claim's `start` when `tx`
 * ends: the worker starts the job right after the commit (no poll, no second claiming statement) or
 * frees the slot on a rollback. With no listener, or none with a free slot, `raise` returns null: the row
 * is written unclaimed and the worker's polling picks it up. The work carries what the worker needs to
 * start the job without reading the row back (for a charge: the outbox message id, payload, request id).
 */
@Injectable()
export class WorkSignal {
  private readonly listeners = new Map<string, WorkListener<never>[]>();

  /** Workers: be asked about every raise of `topic`, in registration order. */
  onRaise<Work>(topic: string, listener: WorkListener<Work>): void {
    const listeners = this.listeners.get(topic) ?? [];
    listeners.push(listener as WorkListener<never>);
    this.listeners.set(topic, listeners);
  }

  /**
   * Services: `work` of `topic` is about to be written in `tx` at `at` (system time). Returns the lease to
   * write it with when a listener in this process claimed it (it starts once `tx` commits), else null.
   */
  raise<Work>(topic: string, work: Work, tx: TransactionEnd, at: Date): Date | null {
    for (const listener of this.listeners.get(topic) ?? []) {
      const claim = (listener as WorkListener<Work>)(work, at);
      if (claim) {
        tx.onFinish(claim.start);
        return claim.leaseUntil;
      }
    }
    return null;
  }
}
