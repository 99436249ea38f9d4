import { JobDispatcher } from './job-dispatcher';
import { PollingWorker } from './polling-worker';

/**
 * A worker that processes claimed rows concurrently (up to `concurrency`, see JobDispatcher). Work
 * reaches it two ways:
 * - dispatch on commit: a transaction that writes a row for this worker claims it for this process when
 *   a slot is free (`reserveSlot`, the row written with its lease), and the job starts as soon as the
 *   transaction commits (`startReserved`): no poll, no second claiming statement;
 * - polling, the fallback for everything else (retries that came due, rows written while every slot was
 *   busy, rows of a crashed or stopped replica whose lease expired): each tick claims at most as many rows
 *   as there are free slots, and a freed slot polls again at once while the last claim filled every slot.
 * At shutdown it stops claiming and waits for the jobs in flight.
 */
export abstract class DispatchingWorker<Job> extends PollingWorker {
  private readonly dispatcher: JobDispatcher<Job>;
  /** The last claim filled every free slot: more rows may be waiting. */
  private backlog = false;

  protected constructor(enabled: boolean, intervalMs: number, concurrency: number) {
    super(enabled, intervalMs);
    this.dispatcher = new JobDispatcher(
      concurrency,
      (job) => this.process(job),
      () => this.backlog && this.pollNow(),
    );
  }

  /** Claims (leases) up to `limit` due rows for this process. */
  protected abstract claim(limit: number): Promise<Job[]>;

  /** Processes one claimed row and records the result; never throws (failures are logged and recorded). */
  protected abstract process(job: Job): Promise<void>;

  protected async tick(): Promise<boolean> {
    // The slots are taken before claiming, so a transaction committing meanwhile cannot take them too.
    const slots = this.dispatcher.reserveFree();
    this.backlog = slots === 0;
    if (slots === 0) return false;
    let jobs: Job[] = [];
    try {
      jobs = await this.claim(slots);
    } finally {
      for (const job of jobs) this.dispatcher.start(job);
      for (let unused = jobs.length; unused < slots; unused += 1) this.dispatcher.cancel();
    }
    this.backlog = jobs.length === slots;
    return false;
  }

  /**
   * For a transaction about to write a row for this worker: true when this process may claim it (a slot is
   * now reserved for it). `startReserved` must follow: with the job once committed, with null otherwise.
   */
  protected reserveSlot(): boolean {
    if (!this.enabled || this.shuttingDown) return false;
    const reserved = this.dispatcher.reserve();
    // Every slot is busy: the row is left for polling, which a freed slot triggers.
    if (!reserved) this.backlog = true;
    return reserved;
  }

  /** Starts the job of a slot reserved with reserveSlot (transaction committed) or frees the slot (rolled back). */
  protected startReserved(job: Job | null): void {
    if (job) this.dispatcher.start(job);
    else this.dispatcher.cancel();
  }

  override async beforeApplicationShutdown(): Promise<void> {
    this.dispatcher.close();
    await super.beforeApplicationShutdown();
    await this.dispatcher.idle();
  }
}
