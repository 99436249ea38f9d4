/** Milliseconds of a monotonic clock (performance.now by default); injectable for tests. */
export type Stopwatch = () => number;

/**
 * The result of an async `read`, reused for `ttlMs` of real (monotonic) time: however often it is asked for, the
 * read runs at most once per `ttlMs`, and callers that ask while it runs share that run. A read that fails or takes
 * longer than `timeoutMs` gives `undefined` (and is not retried before `ttlMs` has passed either, so a struggling
 * database is not hammered by scrapes). Never rejects.
 */
export class CachedRead<T> {
  private value: T | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private running: Promise<T | undefined> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly timeoutMs: number,
    private readonly stopwatch: Stopwatch = () => performance.now(),
  ) {}

  /** The cached value when fresh; otherwise the value of a new read (or undefined when it fails or times out). */
  get(): Promise<T | undefined> {
    if (this.stopwatch() - this.readAt < this.ttlMs) return Promise.resolve(this.value);
    this.running ??= this.refresh().finally(() => (this.running = undefined));
    return this.running;
  }

  private async refresh(): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.timeoutMs);
      timer.unref();
    });
    try {
      this.value = await Promise.race([this.read(), timeout]);
    } catch {
      this.value = undefined;
    } finally {
      clearTimeout(timer);
    }
    this.readAt = this.stopwatch();
    return this.value;
  }
}
