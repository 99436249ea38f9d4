import { Logger } from '@nestjs/common';

/**
 * Runs `tick` until stopped: again at once while it reports more work (or was kicked meanwhile),
 * otherwise after `intervalMs` or as soon as `kick()` is called. A failing tick is logged and the
 * loop goes on. `stop()` resolves once the in-flight tick has finished. Background workers use it
 * through PollingWorker, so they poll, wake and shut down the same way.
 */
export class PollingLoop {
  private running: Promise<void> | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  private kicked = false;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    /** Returns true when it may have left work behind (e.g. a full batch). */
    private readonly tick: () => Promise<boolean>,
  ) {}

  start(): void {
    this.stopped = false;
    this.running ??= this.run();
  }

  /** Ask for a tick now (e.g. right after new work was committed); a no-op while not started. */
  kick(): void {
    if (this.stopped) return;
    this.kicked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.kicked = false;
      let moreWork = false;
      try {
        moreWork = await this.tick();
      } catch (error) {
        this.logger.error({ err: error }, 'polling tick failed');
      }
      if (!moreWork && !this.kicked && !this.stopped) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.intervalMs);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
