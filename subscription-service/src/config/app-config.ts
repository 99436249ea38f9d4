import { createHash } from 'node:crypto';
import { parseDurationList } from './durations';
import { Environment } from './environment';
import { parseTrustedProxies } from './trusted-proxies';

/** Typed, derived configuration. Secrets are reduced to what the code needs (hashes, decoded keys). */
export class AppConfig {
  readonly port: number;
  /** Port of the Prometheus endpoint (METRICS_PORT), or null when metrics are not served (METRICS_PORT=0). */
  readonly metricsPort: number | null;
  readonly logLevel: string;
  readonly databaseUrl: string;
  /** Connections in the service's one PostgreSQL pool (raw SQL and Prisma share it). */
  readonly databasePoolSize: number;
  readonly adminKeyHashes: readonly string[];
  readonly paymentService: { readonly baseUrl: string; readonly apiKey: string; readonly timeoutMs: number };
  readonly webhook: { readonly secrets: readonly string[]; readonly toleranceSeconds: number };
  /** Poll interval when idle; payment requests in flight at once. */
  readonly outbox: { readonly pollIntervalMs: number; readonly concurrency: number };
  readonly reconciliation: { readonly intervalMs: number; readonly afterMs: number };
  readonly workersEnabled: boolean;
  /**
   * Billing worker poll interval; subscriptions processed at once; dunning retry delays after a renewal's due date (ms); test clock
   * switch; whether a payment-method update of a past_due subscription retries its renewal invoice at once.
   */
  readonly billing: {
    readonly pollIntervalMs: number;
    readonly concurrency: number;
    readonly dunningScheduleMs: readonly number[];
    readonly testClockEnabled: boolean;
    readonly retryOnPaymentMethodUpdate: boolean;
  };
  readonly swaggerEnabled: boolean;
  /** Requests a minute per caller (API key principal, or address on public routes). */
  readonly rateLimitPerMinute: number;
  /** Failed authentications a minute per client address before it gets 429s. */
  readonly authFailuresPerMinute: number;
  /** Webhook deliveries a minute per client address before it gets 429s. */
  readonly webhookRateLimitPerMinute: number;
  /** Addresses and CIDR ranges of the proxies whose X-Forwarded-For is believed (empty: none). */
  readonly trustedProxies: readonly string[];
  /** Demo setups: the OpenAPI document names the seeded demo keys. */
  readonly demoMode: boolean;

  constructor(env: Environment) {
    this.port = env.PORT;
    this.metricsPort = env.METRICS_PORT === 0 ? null : env.METRICS_PORT;
    this.logLevel = env.LOG_LEVEL;
    this.databaseUrl = env.DATABASE_URL;
    this.databasePoolSize = env.DATABASE_POOL_SIZE;
    // The same digest as platform/auth's sha256Hex, which the API key guard compares with.
    this.adminKeyHashes = splitList(env.ADMIN_API_KEYS).map((key) =>
      createHash('sha256').update(key, 'utf8').digest('hex'),
    );
    this.paymentService = {
      baseUrl: env.PAYMENT_SERVICE_URL.replace(/\/+$/, ''),
      apiKey: env.PAYMENT_SERVICE_API_KEY,
      timeoutMs: env.HTTP_TIMEOUT_MS,
    };
    this.webhook = { secrets: splitList(env.PAYMENT_WEBHOOK_SECRETS), toleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS };
    this.outbox = { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS, concurrency: env.OUTBOX_CONCURRENCY };
    this.reconciliation = { intervalMs: env.RECONCILIATION_INTERVAL_MS, afterMs: env.RECONCILIATION_AFTER_MS };
    this.workersEnabled = env.WORKERS_ENABLED;
    this.billing = {
      pollIntervalMs: env.BILLING_POLL_INTERVAL_MS,
      concurrency: env.BILLING_CONCURRENCY,
      dunningScheduleMs: parseDurationList(env.DUNNING_RETRY_SCHEDULE),
      testClockEnabled: env.TEST_CLOCK_ENABLED,
      retryOnPaymentMethodUpdate: env.RETRY_ON_PAYMENT_METHOD_UPDATE,
    };
    this.swaggerEnabled = env.SWAGGER_ENABLED;
    this.rateLimitPerMinute = env.RATE_LIMIT_PER_MINUTE;
    this.authFailuresPerMinute = env.AUTH_FAILURES_PER_MINUTE;
    this.webhookRateLimitPerMinute = env.WEBHOOK_RATE_LIMIT_PER_MINUTE;
    this.trustedProxies = parseTrustedProxies(env.TRUSTED_PROXIES);
    this.demoMode = env.DEMO_MODE;
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
