const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** A comma-separated list of durations such as `1d,3d,5d` or `500ms,2s` (units ms, s, m, h, d). */
export const DURATION_LIST = /^\s*\d+(ms|s|m|h|d)\s*(,\s*\d+(ms|s|m|h|d)\s*)*$/;

/** Parses DURATION_LIST text into milliseconds, in the given order. */
export function parseDurationList(text: string): number[] {
  return text.split(',').map((item) => {
    const match = DURATION.exec(item.trim());
    if (!match) throw new RangeError(`"${item.trim()}" is not a duration like 1d, 12h, 30m, 5s or 500ms`);
    return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  });
}
