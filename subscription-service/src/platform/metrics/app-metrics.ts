import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { Clock, CLOCK } from '../time/clock';
import { CachedRead } from './cached-read';
import { PROCESS_METRICS } from './metrics-registry';

/** One value of a gauge; `labels` for a gauge with label names. */
export interface GaugeSample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface GaugeSpec {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/** A gauge read from the database is read at most this often, however often it is scraped (ms). */
export const GAUGE_CACHE_MS = 5_000;
/** A database read that takes longer is given up for that scrape (ms); the scrape answers without its values. */
export const GAUGE_READ_TIMEOUT_MS = 2_000;

/**
 * This application's metrics: a registry of its own for gauges read from its resources (pool, database), and the
 * scrape (PROCESS_METRICS merged with it). Per application rather than per process, so two applications in one
 * process (e2e tests) each report their own database.
 */
@Injectable()
export class AppMetrics {
  readonly registry = new Registry();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** A gauge whose value `read` gives synchronously when scraped (e.g. the pool's counters). */
  gauge(spec: GaugeSpec, read: () => number): Gauge {
    return new Gauge({
      name: spec.name,
      help: spec.help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /**
   * Gauges filled by one `read` (one cheap, indexed query), run at most every GAUGE_CACHE_MS and given the service
   * clock's now (ages are measured against the clock the rows were stamped with). When the read fails or times out,
   * the gauges show `onFailure` if given, else no series (an alert on them then stays quiet; readiness says why).
   * `read` returns the samples of each gauge by key.
   */
  cachedGauges<K extends string>(
    specs: Readonly<Record<K, GaugeSpec>>,
    read: (now: Date) => Promise<Record<K, readonly GaugeSample[]>>,
    onFailure?: Record<K, readonly GaugeSample[]>,
  ): void {
    const cache = new CachedRead(() => read(this.clock.now()), GAUGE_CACHE_MS, GAUGE_READ_TIMEOUT_MS);
    for (const key of Object.keys(specs) as K[]) {
      const spec = specs[key];
      new Gauge({
        name: spec.name,
        help: spec.help,
        labelNames: [...(spec.labelNames ?? [])],
        registers: [this.registry],
        async collect() {
          const samples = (await cache.get())?.[key] ?? onFailure?.[key] ?? [];
          this.reset();
          for (const sample of samples) {
            if (sample.labels) this.set(sample.labels, sample.value);
            else this.set(sample.value);
          }
        },
      });
    }
  }

  /** The text exposition of every metric of the process and of this application (Prometheus text format 0.0.4). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([PROCESS_METRICS, this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}

/** Seconds from `oldest` to `now` (0 when there is nothing, or when `oldest` is in the future). */
export function ageSeconds(now: Date, oldest: Date | null): number {
  return oldest === null ? 0 : Math.max(0, (now.getTime() - oldest.getTime()) / 1000);
}
