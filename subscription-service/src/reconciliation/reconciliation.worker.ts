import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PollingWorker } from '../platform/workers/polling-worker';
import { RECONCILIATION_BATCH_SIZE, ReconciliationService } from './reconciliation.service';

/** Runs ReconciliationService.reconcileStale every RECONCILIATION_INTERVAL_MS, and again at once after a full batch. */
@Injectable()
export class ReconciliationWorker extends PollingWorker {
  constructor(
    private readonly reconciliation: ReconciliationService,
    config: AppConfig,
  ) {
    super(config.workersEnabled, config.reconciliation.intervalMs);
  }

  /** At shutdown the payment in progress finishes; the rest of the batch waits for the next threshold. */
  protected async tick(): Promise<boolean> {
    return (await this.reconciliation.reconcileStale(() => this.shuttingDown)).length === RECONCILIATION_BATCH_SIZE;
  }
}
