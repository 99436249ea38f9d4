import { Injectable, OnModuleInit } from '@nestjs/common';
import { Database } from '../platform/database/database';
import { AppMetrics } from '../platform/metrics/app-metrics';
import { countPaymentAnomaliesSince } from './payment-anomaly.repository';

/** The window of `billing_payment_anomalies_last_24h` (ms). */
export const ANOMALY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * `billing_payment_anomalies_last_24h`: payment reports recorded as anomalies (GET /v1/payment-anomalies) in the last
 * 24 hours, by the service clock; read from the database (an index range scan, at most every 5 s), so every replica
 * reports the same number and a restart loses nothing. The PaymentAnomalies alert fires while it is above 0.
 */
@Injectable()
export class PaymentAnomaliesMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: AppMetrics,
    private readonly db: Database,
  ) {}

  onModuleInit(): void {
    this.metrics.cachedGauges(
      {
        recent: {
          name: 'billing_payment_anomalies_last_24h',
          help: 'Payment anomalies recorded in the last 24 hours (payment reports that settled nothing).',
        },
      },
      async (now) => ({
        recent: [{ value: await countPaymentAnomaliesSince(this.db, new Date(now.getTime() - ANOMALY_WINDOW_MS)) }],
      }),
    );
  }
}
