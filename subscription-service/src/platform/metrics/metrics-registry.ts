import { Counter, Registry } from 'prom-client';
import { SqlTransaction } from '../database/database';

/**
 * The process-wide registry: the HTTP histogram, the runtime metrics and every feature counter, declared once per
 * process at module level (prom-client's own idiom). Gauges read from one application's database or pool live in
 * that application's registry instead (AppMetrics); a scrape merges both (docs/operations.md lists every name).
 */
export const PROCESS_METRICS = new Registry();

/** A value for every label of a counter. */
export type LabelSet<L extends string> = Readonly<Record<L, string>>;

export interface CounterSpec<L extends string> {
  /** Prometheus name, `_total` suffix included (e.g. `billing_invoices_issued_total`). */
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  /**
   * Label sets exported as 0 from the start, so a series exists before its first event and `increase()` or an alert
   * on it works from the first scrape (an absent series is neither 0 nor an alert).
   */
  readonly known?: readonly LabelSet<L>[];
}

/** A counter in PROCESS_METRICS with its known label sets initialised to 0. */
export function defineCounter<L extends string = never>(spec: CounterSpec<L>): Counter<L> {
  const counter = new Counter<L>({
    name: spec.name,
    help: spec.help,
    labelNames: [...(spec.labelNames ?? [])],
    registers: [PROCESS_METRICS],
  });
  for (const labels of spec.known ?? []) counter.inc(labels, 0);
  return counter;
}

/**
 * Every combination of the given label values, for CounterSpec.known: `labelCombinations({ kind: ['a', 'b'], x: ['1'] })`
 * → `[{ kind: 'a', x: '1' }, { kind: 'b', x: '1' }]`.
 */
export function labelCombinations<L extends string>(values: Readonly<Record<L, readonly string[]>>): LabelSet<L>[] {
  let sets: Record<string, string>[] = [{}];
  for (const [label, options] of Object.entries<readonly string[]>(values)) {
    sets = sets.flatMap((set) => options.map((option) => ({ ...set, [label]: option })));
  }
  return sets as LabelSet<L>[];
}

/**
 * Counts `labels` on `counter` once `tx` has committed; a rolled-back transaction counts nothing. Use it for every
 * state change made in a transaction (an invoice issued, a payment settled), so the counter says what is in the
 * database.
 */
export function countAfterCommit<L extends string>(
  tx: SqlTransaction,
  counter: Counter<L>,
  labels?: Partial<Record<L, string>>,
): void {
  tx.onFinish((committed) => {
    if (!committed) return;
    if (labels) counter.inc(labels);
    else counter.inc();
  });
}

/**
 * `value` when it is one of `known`, else `other`: label values that come from data (a failure code from another
 * service) stay a fixed, small set, so a misbehaving peer cannot create unbounded series.
 */
export function boundedLabel(value: string | null | undefined, known: readonly string[], other = 'other'): string {
  return value !== null && value !== undefined && known.includes(value) ? value : other;
}
