import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import type { DestinationStream } from 'pino';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app.module';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { PrismaService } from '../../src/platform/database/prisma.service';
import { createLogger } from '../../src/platform/logging/logger';
import { TestClock } from './test-clock';

export const TEST_ADMIN_KEY = 'sk_admin_test_0001';
export const TEST_WEBHOOK_SECRET = 'whsec_' + Buffer.from('test_secret_for_webhooks_0001').toString('base64');
export const TEST_OLD_WEBHOOK_SECRET = 'whsec_' + Buffer.from('old_secret_being_rotated_out').toString('base64');

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly clock: TestClock;
  readonly prisma: PrismaService;
  readonly server: ReturnType<NestFastifyApplication['getHttpServer']>;
  close(): Promise<void>;
}

export function e2eDatabaseUrl(): string {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set: run e2e tests through jest (test/support/global-setup.mjs)');
  return url;
}

/**
 * The real application (same module, adapter and configureApp as main.ts) on the test database. `logDestination`
 * receives the log lines (with LOG_LEVEL set in `env`), for tests of what is logged.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  logDestination?: DestinationStream,
): Promise<TestApp> {
  const config = new AppConfig(
    validateEnvironment({
      DATABASE_URL: e2eDatabaseUrl(),
      LOG_LEVEL: 'silent',
      ADMIN_API_KEYS: `${TEST_ADMIN_KEY},sk_admin_test_other`,
      PAYMENT_SERVICE_URL: 'http://127.0.0.1:9',
      PAYMENT_SERVICE_API_KEY: 'sk_payment_test',
      PAYMENT_WEBHOOK_SECRETS: `${TEST_WEBHOOK_SECRET},${TEST_OLD_WEBHOOK_SECRET}`,
      WORKERS_ENABLED: 'false',
      SWAGGER_ENABLED: 'true',
      // Several applications run in one test process: none serves metrics unless a test asks for it.
      METRICS_PORT: '0',
      ...env,
    }),
  );
  const clock = new TestClock();
  const logger = createLogger(config.logLevel, logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, clock, logger }),
    createFastifyAdapter(logger, config.trustedProxies),
    { ...NEST_APP_OPTIONS, logger: false },
  );
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    clock,
    prisma: app.get(PrismaService),
    server: app.getHttpServer(),
    close: () => app.close(),
  };
}

const TRUNCATE_ALL =
  'TRUNCATE users, api_keys, plans, subscriptions, subscription_status_changes, invoices, invoice_payments, ' +
  'outbox_messages, inbound_webhook_events, idempotency_keys, payment_anomalies CASCADE';

/** Empties every table (keeps the migrations) so each test file starts from a known state. */
export async function resetDatabase(prisma: PrismaService): Promise<void> {
  await prisma.$executeRawUnsafe(TRUNCATE_ALL);
}

/**
 * The same, before any app exists. Needed when the app runs its workers (WORKERS_ENABLED=true): they
 * poll as soon as the app starts, so rows left by earlier test files (the database is shared by the
 * whole run) would otherwise be claimed and sent before resetDatabase could remove them.
 */
export async function resetDatabaseBeforeStart(): Promise<void> {
  const client = new Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    await client.query(TRUNCATE_ALL);
  } finally {
    await client.end();
  }
}
