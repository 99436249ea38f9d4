import { Injectable, OnModuleInit } from '@nestjs/common';
import { Database } from '../platform/database/database';
import { ageSeconds, AppMetrics } from '../platform/metrics/app-metrics';
import { deliveryHealth } from './webhook-delivery.repository';

/**
 * `webhook_deliveries_pending`, `webhook_deliveries_oldest_pending_age_seconds` and `webhook_deliveries_dead_letters`,
 * read from the database by one indexed query at most every 5 s (AppMetrics.cachedGauges): the same value on every
 * replica. The age is measured from the delivery's creation by the service clock.
 */
@Injectable()
export class WebhookDeliveryMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: AppMetrics,
    private readonly db: Database,
  ) {}

  onModuleInit(): void {
    this.metrics.cachedGauges(
      {
        pending: {
          name: 'webhook_deliveries_pending',
          help: 'Webhook deliveries to an enabled endpoint not delivered yet (due, waiting for a retry, or in flight).',
        },
        oldestPendingAge: {
          name: 'webhook_deliveries_oldest_pending_age_seconds',
          help: 'Seconds since the oldest pending webhook delivery was created (0 when none is pending).',
        },
        deadLetters: {
          name: 'webhook_deliveries_dead_letters',
          help: 'Webhook deliveries in status failed (dead letters) until redelivered.',
        },
      },
      async (now) => {
        const health = await deliveryHealth(this.db);
        return {
          pending: [{ value: health.pending }],
          oldestPendingAge: [{ value: ageSeconds(now, health.oldestPending) }],
          deadLetters: [{ value: health.deadLetters }],
        };
      },
    );
  }
}
