import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { toBoolean, toNumber } from './env-parsing';
import { parseRetrySchedule } from './retry-schedule';
import { IsTrustedProxyList, parseTrustedProxies } from './trusted-proxies';

/** The process environment as validated at boot. Names and defaults are fixed by docs/contracts.md. */
class EnvironmentVariables {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL!: string;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3001;

  /** Port of GET /metrics (Prometheus), apart from the API port; 0: metrics are not served. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 9464;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  @IsString()
  @Matches(/[^,\s]/, { message: 'API_KEYS must list at least one key (comma-separated)' })
  API_KEYS!: string;

  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: 'WEBHOOK_URL must be an http(s) URL' })
  WEBHOOK_URL!: string;

  @IsString()
  @Matches(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'WEBHOOK_SECRET must look like whsec_<base64>' })
  WEBHOOK_SECRET!: string;

  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(1)
  SIMULATION_SUCCESS_RATE = 0.8;

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  SIMULATION_DELAY_MS = 300;

  @IsString()
  WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  WEBHOOK_TIMEOUT_MS = 15_000;

  @Transform(toNumber)
  @IsInt()
  @Min(10)
  WORKER_POLL_INTERVAL_MS = 250;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE = 10;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(10_000)
  PROCESSING_CONCURRENCY = 64;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_DELIVERY_CONCURRENCY = 32;

  @Transform(toBoolean)
  @IsBoolean()
  WORKERS_ENABLED = true;

  @Transform(toBoolean)
  @IsBoolean()
  SWAGGER_ENABLED = true;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 120_000;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_MINUTE = 120;

  /** Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDR ranges); empty: none. */
  @IsString()
  @IsTrustedProxyList()
  TRUSTED_PROXIES = '';

  /** Demo setups only: the OpenAPI document then names the demo API key. */
  @Transform(toBoolean)
  @IsBoolean()
  DEMO_MODE = false;

  /**
   * OTLP/HTTP endpoint of a trace collector (spans are sent to `<endpoint>/v1/traces`), e.g. `http://otel-collector:4318`.
   * Empty (the default): tracing is off. Read before the application starts (src/tracing.ts); validated here.
   */
  @IsString()
  @Matches(/^(https?:\/\/\S+)?$/, {
    message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, or empty (tracing off)',
  })
  OTEL_EXPORTER_OTLP_ENDPOINT = '';

  /** `service.name` of this service's spans. */
  @IsString()
  @Matches(/\S/, { message: 'OTEL_SERVICE_NAME must not be empty' })
  OTEL_SERVICE_NAME = 'payment-service';
}

/** Typed, validated configuration; inject it like any provider. */
export class AppConfig {
  readonly databaseUrl: string;
  /** Connections in the service's one PostgreSQL pool (raw SQL and Prisma share it). */
  readonly databasePoolSize: number;
  readonly port: number;
  /** Port of the Prometheus endpoint (METRICS_PORT), or null when metrics are not served (METRICS_PORT=0). */
  readonly metricsPort: number | null;
  readonly logLevel: string;
  readonly apiKeys: readonly string[];
  readonly webhookUrl: string;
  readonly webhookSecret: string;
  readonly simulationSuccessRate: number;
  readonly simulationDelayMs: number;
  readonly webhookRetryScheduleMs: readonly number[];
  readonly webhookTimeoutMs: number;
  readonly workerPollIntervalMs: number;
  /** Payments attempted at once (each mostly waits SIMULATION_DELAY_MS). */
  readonly processingConcurrency: number;
  /** Webhook deliveries in flight at once. */
  readonly webhookDeliveryConcurrency: number;
  readonly workersEnabled: boolean;
  readonly swaggerEnabled: boolean;
  /** Requests a minute per API key (the calling service) or, on public routes, per address. */
  readonly rateLimitPerMinute: number;
  /** Failed authentications a minute per client address before it gets 429s. */
  readonly authFailuresPerMinute: number;
  /** Addresses and CIDR ranges of the proxies whose X-Forwarded-For is believed (empty: none). */
  readonly trustedProxies: readonly string[];
  /** Demo setups: the OpenAPI document names the demo API key. */
  readonly demoMode: boolean;

  constructor(env: EnvironmentVariables) {
    this.databaseUrl = env.DATABASE_URL;
    this.databasePoolSize = env.DATABASE_POOL_SIZE;
    this.port = env.PORT;
    this.metricsPort = env.METRICS_PORT === 0 ? null : env.METRICS_PORT;
    this.logLevel = env.LOG_LEVEL;
    this.apiKeys = env.API_KEYS.split(',')
      .map((key) => key.trim())
      .filter(Boolean);
    this.webhookUrl = env.WEBHOOK_URL;
    this.webhookSecret = env.WEBHOOK_SECRET;
    this.simulationSuccessRate = env.SIMULATION_SUCCESS_RATE;
    this.simulationDelayMs = env.SIMULATION_DELAY_MS;
    this.webhookRetryScheduleMs = parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE);
    this.webhookTimeoutMs = env.WEBHOOK_TIMEOUT_MS;
    this.workerPollIntervalMs = env.WORKER_POLL_INTERVAL_MS;
    this.processingConcurrency = env.PROCESSING_CONCURRENCY;
    this.webhookDeliveryConcurrency = env.WEBHOOK_DELIVERY_CONCURRENCY;
    this.workersEnabled = env.WORKERS_ENABLED;
    this.swaggerEnabled = env.SWAGGER_ENABLED;
    this.rateLimitPerMinute = env.RATE_LIMIT_PER_MINUTE;
    this.authFailuresPerMinute = env.AUTH_FAILURES_PER_MINUTE;
    this.trustedProxies = parseTrustedProxies(env.TRUSTED_PROXIES);
    this.demoMode = env.DEMO_MODE;
  }
}

export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/** Validates the environment once; throws one message listing every problem so the operator fixes them at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const values = plainToInstance(EnvironmentVariables, { ...env }, { exposeDefaultValues: true });
  const problems = validateSync(values, { forbidUnknownValues: false }).map(({ property, value, constraints }) =>
    value === undefined
      ? `  - ${property}: is required`
      : `  - ${property}: ${Object.values(constraints ?? {}).join('; ')}`,
  );
  if (problems.length === 0) {
    try {
      return new AppConfig(values);
    } catch (error) {
      problems.push(`  - WEBHOOK_RETRY_SCHEDULE: ${(error as Error).message}`);
    }
  }
  throw new InvalidConfigError(`Invalid environment configuration:\n${problems.join('\n')}`);
}
