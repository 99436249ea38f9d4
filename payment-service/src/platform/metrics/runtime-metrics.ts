import { collectDefaultMetrics } from 'prom-client';
import { PROCESS_METRICS } from './metrics-registry';

let collecting = false;

/**
 * prom-client's default Node.js metrics in PROCESS_METRICS, once per process: CPU (`process_cpu_seconds_total`),
 * memory (`process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, `nodejs_heap_size_total_bytes`),
 * event-loop lag (`nodejs_eventloop_lag_seconds`, `nodejs_eventloop_lag_p99_seconds`, sampled every 10 ms),
 * garbage collection, handles, and the Node.js version. Computed when scraped; no timer of its own.
 */
export function collectRuntimeMetrics(): void {
  if (collecting) return;
  collecting = true;
  collectDefaultMetrics({ register: PROCESS_METRICS, eventLoopMonitoringPrecision: 10 });
}
