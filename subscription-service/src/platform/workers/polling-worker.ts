import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PollingLoop } from './polling-loop';

/**
 * A background worker driven by a PollingLoop: polls from bootstrap when workers are enabled; at
 * shutdown stops polling and waits for the tick in flight while the database is still connected
 * (the database pool closes last). `shuttingDown` lets a long tick stop between items.
 */
export abstract class PollingWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private readonly loop: PollingLoop;
  /** Set at shutdown: a tick in progress finishes the item it is on, then stops. */
  protected shuttingDown = false;

  protected constructor(
    protected readonly enabled: boolean,
    intervalMs: number,
  ) {
    this.loop = new PollingLoop(this.logger, intervalMs, () => this.tick());
  }

  /** One round of work; true when it may have left work behind (e.g. a full batch). */
  protected abstract tick(): Promise<boolean>;

  onApplicationBootstrap(): void {
    if (this.enabled) this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    await this.loop.stop();
  }

  /** Poll now instead of at the next interval (a no-op when workers are disabled). */
  protected pollNow(): void {
    this.loop.kick();
  }
}
