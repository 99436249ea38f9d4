import { parseDurationList } from '../billing/domain/durations';
import { sha256Hex } from '../platform/auth/api-key';
import { Environment } from './environment';

/** Typed, derived configuration. Secrets are reduced to what the code needs (hashes, decoded keys). */
export class AppConfig {
  readonly port: number;
  readonly logLevel: string;
  readonly databaseUrl: string;
  readonly adminKeyHashes: readonly string[];
  readonly paymentService: { readonly baseUrl: string; readonly apiKey: string; readonly timeoutMs: number };
  readonly webhook: { readonly secrets: readonly string[]; readonly toleranceSeconds: number };
  readonly outbox: { readonly pollIntervalMs: number };
  readonly reconciliation: { readonly intervalMs: number; readonly afterMs: number };
  readonly workersEnabled: boolean;
  /** Billing worker poll interval; dunning retry delays after a renewal's due date (ms); test clock switch. */
  readonly billing: { readonly pollIntervalMs: number; readonly dunningScheduleMs: readonly number[]; readonly testClockEnabled: boolean };
  readonly swaggerEnabled: boolean;
  readonly rateLimitPerMinute: number;

  constructor(env: Environment) {
    this.port = env.PORT;
    this.logLevel = env.LOG_LEVEL;
    this.databaseUrl = env.DATABASE_URL;
    this.adminKeyHashes = splitList(env.ADMIN_API_KEYS).map(sha256Hex);
    this.paymentService = {
      baseUrl: env.PAYMENT_SERVICE_URL.replace(/\/+$/, ''),
      apiKey: env.PAYMENT_SERVICE_API_KEY,
      timeoutMs: env.HTTP_TIMEOUT_MS,
    };
    this.webhook = { secrets: splitList(env.PAYMENT_WEBHOOK_SECRETS), toleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS };
    this.outbox = { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS };
    this.reconciliation = { intervalMs: env.RECONCILIATION_INTERVAL_MS, afterMs: env.RECONCILIATION_AFTER_MS };
    this.workersEnabled = env.WORKERS_ENABLED;
    this.billing = {
      pollIntervalMs: env.BILLING_POLL_INTERVAL_MS,
      dunningScheduleMs: parseDurationList(env.DUNNING_RETRY_SCHEDULE),
      testClockEnabled: env.TEST_CLOCK_ENABLED,
    };
    this.swaggerEnabled = env.SWAGGER_ENABLED;
    this.rateLimitPerMinute = env.RATE_LIMIT_PER_MINUTE;
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
