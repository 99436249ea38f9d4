import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { DestinationStream } from 'pino';
import { AppModule } from '../../src/app.module';
import { configureApp, createFastifyAdapter } from '../../src/app.setup';
import { loadConfig } from '../../src/config/app-config';
import { createLogger } from '../../src/platform/logging/logger';

export const API_KEY = 'sk_test_key_0001';
export const WEBHOOK_SECRET = 'whsec_ZGVtb19zZWNyZXRfZm9yX2xvY2FsX3dlYmhvb2tz';
export const auth = { Authorization: `Bearer ${API_KEY}` };

/** Short intervals so the background workers run within a test's lifetime. */
const TEST_ENV = {
  API_KEYS: `${API_KEY},sk_test_key_0002`,
  WEBHOOK_SECRET,
  LOG_LEVEL: 'silent',
  WORKER_POLL_INTERVAL_MS: '50',
  SIMULATION_DELAY_MS: '20',
  WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,800ms',
  WEBHOOK_TIMEOUT_MS: '2000',
  // Several applications run in one test process: none serves metrics unless a test asks for it.
  METRICS_PORT: '0',
};

/**
 * The real application, configured exactly as main.ts does, on the suite's database. `logDestination` receives the
 * log lines (with LOG_LEVEL set in `env`), for tests of what is logged.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  logDestination?: DestinationStream,
): Promise<NestFastifyApplication> {
  const config = loadConfig({
    ...TEST_ENV,
    DATABASE_URL: process.env.DATABASE_URL,
    WEBHOOK_URL: 'http://127.0.0.1:9/unused',
    ...env,
  });
  const logger = createLogger(config.logLevel, logDestination);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, logger)] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(logger, config.trustedProxies),
    {
      bufferLogs: true,
    },
  );
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Retries `assertion` until it passes or `timeoutMs` elapses (then rethrows its last failure). */
export async function eventually<T>(assertion: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
