const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DELAY_PATTERN = /^(\d+)(ms|s|m|h)$/;

/**
 * Parses WEBHOOK_RETRY_SCHEDULE, e.g. `"5s,5m,30m,2h"`, into milliseconds: the delays after the 1st, 2nd, ...
 * failed attempt: AppConfig.webhookRetryScheduleMs, applied by nextRetryDelayMs (webhooks/domain/retry-schedule.ts).
 */
export function parseRetrySchedule(spec: string): number[] {
  const parts = spec.split(',').map((part) => part.trim());
  return parts.map((part) => {
    const match = DELAY_PATTERN.exec(part);
    if (!match) {
      throw new Error(`invalid delay "${part}" in retry schedule "${spec}" (expected e.g. 500ms, 5s, 5m, 2h)`);
    }
    return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  });
}
