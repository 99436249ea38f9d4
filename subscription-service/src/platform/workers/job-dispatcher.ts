/**
 * Runs jobs concurrently, at most `concurrency` at a time, each on its own slot. A slot is reserved before
 * its job may start (a worker claims rows only for free slots; a transaction claims the row it writes only
 * if a slot is free) and started or cancelled later, so claimed work never waits in memory behind other
 * work: one slow job holds up only itself.
 */
export class JobDispatcher<Job> {
  private running = 0;
  private reserved = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    /** Runs one job; must not throw (a worker records failures itself). */
    private readonly run: (job: Job) => Promise<void>,
    /** Called each time a job ends and its slot is free again. */
    private readonly onSlotFreed: () => void,
  ) {}

  /** Slots neither running nor reserved; 0 once closed. */
  get freeSlots(): number {
    return this.closed ? 0 : Math.max(0, this.concurrency - this.running - this.reserved);
  }

  /** Takes a free slot for a job that will be started (or cancelled) soon; false when none is free. */
  reserve(): boolean {
    if (this.freeSlots === 0) return false;
    this.reserved += 1;
    return true;
  }

  /** Takes every free slot (for a claim of that many rows); returns how many. */
  reserveFree(): number {
    const free = this.freeSlots;
    this.reserved += free;
    return free;
  }

  /** Gives back a reserved slot whose job will not run (e.g. its transaction rolled back). */
  cancel(): void {
    this.reserved -= 1;
    this.notifyIfIdle();
  }

  /** Runs a job on a slot taken with reserve(). */
  start(job: Job): void {
    this.reserved -= 1;
    this.running += 1;
    void this.run(job).finally(() => {
      this.running -= 1;
      this.notifyIfIdle();
      this.onSlotFreed();
    });
  }

  /** No new reservations from now on (shutdown); running and reserved jobs are unaffected. */
  close(): void {
    this.closed = true;
  }

  /** Resolves once no job is running or reserved. */
  idle(): Promise<void> {
    if (this.running === 0 && this.reserved === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIfIdle(): void {
    if (this.running === 0 && this.reserved === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
