// Small statistics and number formatting helpers for the report.

/** Nearest-rank percentile (p in 0..100) of the non-null values; null when there are none. */
function percentile(values, p) {
  const sorted = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** { p50, p95, p99 } of the values. */
export const distribution = (values) => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  p99: percentile(values, 99),
});

/** Events per second over the middle `fraction` of sorted event times (ms), which drops ramp-up and tail. */
export function steadyRate(times, fraction = 0.8) {
  const sorted = [...times].sort((a, b) => a - b);
  const skip = Math.floor((sorted.length * (1 - fraction)) / 2);
  const first = sorted[skip];
  const last = sorted[sorted.length - 1 - skip];
  const events = sorted.length - 2 * skip - 1;
  return last > first && events > 0 ? (events * 1000) / (last - first) : null;
}

/** `value / count`, or null when either is unknown or count is 0. */
export const per = (value, count) => (value === null || value === undefined || !count ? null : value / count);

/** A number with about three significant digits and thousands separators; "n/a" for null. */
export function fmt(value, { digits } = {}) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  const abs = Math.abs(value);
  const fractionDigits = digits ?? (abs >= 100 || abs === 0 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
  return value.toLocaleString('en-US', {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
}

/** "p50 / p95 / p99" in ms. */
export const fmtLatency = ({ p50, p95, p99 }) => `${fmt(p50)} / ${fmt(p95)} / ${fmt(p99)}`;
