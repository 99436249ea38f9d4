import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { DURATION_LIST } from './durations';
import { toBoolean, toNumber } from './env-parsing';
import { IsTrustedProxyList } from './trusted-proxies';

/** Environment variables of the service (docs/contracts.md), validated once at boot. */
export class Environment {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL!: string;

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

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
  @IsNotEmpty({ message: 'ADMIN_API_KEYS must list at least one key' })
  ADMIN_API_KEYS!: string;

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PAYMENT_SERVICE_URL!: string;

  @IsString()
  @IsNotEmpty()
  PAYMENT_SERVICE_API_KEY!: string;

  @IsString()
  @Matches(/^whsec_[A-Za-z0-9+/=]+(,\s*whsec_[A-Za-z0-9+/=]+)*$/, {
    message: 'PAYMENT_WEBHOOK_SECRETS must be a comma-separated list of whsec_<base64> secrets',
  })
  PAYMENT_WEBHOOK_SECRETS!: string;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  WEBHOOK_TOLERANCE_SECONDS = 300;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE = 10;

  @Transform(toNumber)
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS = 500;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_CONCURRENCY = 32;

  @Transform(toNumber)
  @IsInt()
  @Min(10)
  RECONCILIATION_INTERVAL_MS = 60_000;

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  RECONCILIATION_AFTER_MS = 15 * 60_000;

  @Transform(toNumber)
  @IsInt()
  @Min(100)
  HTTP_TIMEOUT_MS = 10000;

  @Transform(toBoolean)
  @IsBoolean()
  SWAGGER_ENABLED = true;

  @Transform(toBoolean)
  @IsBoolean()
  WORKERS_ENABLED = true;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 6000;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_MINUTE = 120;

  /** Deliveries a minute per client address on the webhook route (the payment service's replicas). */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  WEBHOOK_RATE_LIMIT_PER_MINUTE = 60_000;

  /** Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDR ranges); empty: none. */
  @IsString()
  @IsTrustedProxyList()
  TRUSTED_PROXIES = '';

  /** Demo setups only: the OpenAPI document then names the seeded demo keys. */
  @Transform(toBoolean)
  @IsBoolean()
  DEMO_MODE = false;

  @Transform(toNumber)
  @IsInt()
  @Min(10)
  BILLING_POLL_INTERVAL_MS = 5000;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(100)
  BILLING_CONCURRENCY = 4;

  @IsString()
  @Matches(DURATION_LIST, {
    message: 'DUNNING_RETRY_SCHEDULE must be comma-separated durations such as 1d,3d,5d (units ms, s, m, h, d)',
  })
  DUNNING_RETRY_SCHEDULE = '1d,3d,5d';

  @Transform(toBoolean)
  @IsBoolean()
  TEST_CLOCK_ENABLED = false;

  /** A payment-method update of a past_due subscription retries its open renewal invoice at once with the new method. */
  @Transform(toBoolean)
  @IsBoolean()
  RETRY_ON_PAYMENT_METHOD_UPDATE = true;

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
  OTEL_SERVICE_NAME = 'subscription-service';
}

export class InvalidEnvironmentError extends Error {}

/** Returns the validated environment or throws one error listing every problem. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  - ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new InvalidEnvironmentError(`Invalid environment configuration:\n${lines.join('\n')}`);
  }
  return env;
}
