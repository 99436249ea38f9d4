import { Global, Module } from '@nestjs/common';
import { AppMetrics } from './app-metrics';
import { DatabaseMetrics } from './database-metrics';
import { MetricsServer } from './metrics.server';
import { collectRuntimeMetrics } from './runtime-metrics';

/**
 * Metrics of the service (docs/operations.md, "Metrics"): the runtime metrics of the process, this application's
 * pool and readiness gauges, and the `/metrics` server on METRICS_PORT. Features add their gauges through the
 * global AppMetrics; their counters are declared beside them (`<feature>.metrics.ts`, with defineCounter). Needs the
 * global AppConfig, Database and CLOCK.
 */
@Global()
@Module({
  providers: [AppMetrics, DatabaseMetrics, MetricsServer],
  exports: [AppMetrics],
})
export class MetricsModule {
  constructor() {
    collectRuntimeMetrics();
  }
}
