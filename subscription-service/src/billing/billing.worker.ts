import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PollingWorker } from '../platform/workers/polling-worker';
import { BillingRunService } from './billing-run.service';

/** Runs the billing work that came due (BillingRunService.runDue) every BILLING_POLL_INTERVAL_MS. */
@Injectable()
export class BillingWorker extends PollingWorker {
  constructor(
    private readonly billingRun: BillingRunService,
    config: AppConfig,
  ) {
    super(config.workersEnabled, config.billing.pollIntervalMs);
  }

  /**
   * A pass runs until nothing is due, so it never leaves work behind for an immediate rerun. At
   * shutdown it stops after the subscriptions in progress (it holds no leases to hand back).
   */
  protected async tick(): Promise<boolean> {
    await this.billingRun.runDue(() => this.shuttingDown);
    return false;
  }
}
