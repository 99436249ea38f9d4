import { Logger } from '@nestjs/common';

/**
 * Runs `tick` until stopped: again at once while it reports more work, otherwise after `intervalMs`
 * or as soon as `kick()` is called. `stop()` resolves once the in-flight tick has finished.
 */
export class PollingLoop {
  private running: Promise<void> | undefined;
  private stopped = false;
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

  /** Ask for a tick now (e.g. right after new work was committed). */
  kick(): void {
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
        this.logger.error(error instanceof Error ? error : String(error), 'polling tick failed');
      }
      if (!moreWork && !this.kicked && !this.stopped) {
        await this.sleep();
      }
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.intervalMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
