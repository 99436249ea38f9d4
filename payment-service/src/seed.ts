import { AppConfig, InvalidConfigError, loadConfig } from './config/app-config';
import { DEMO_API_KEY } from './config/demo-api-key';
import { Database } from './platform/database/database';
import { PrismaService } from './platform/database/prisma.service';
import { SystemClock } from './platform/time/clock';
import { WebhookEndpointsService } from './webhooks/webhook-endpoints.service';

/** Idempotent: makes the configured webhook endpoint exist, then explains how to call the API. */
async function seed(config: AppConfig): Promise<void> {
  const database = new Database(config);
  const prisma = new PrismaService(database);
  try {
    const endpoint = await new WebhookEndpointsService(
      database,
      prisma,
      config,
      new SystemClock(),
    ).ensureConfiguredEndpoint();
    const key = config.apiKeys.includes(DEMO_API_KEY) ? DEMO_API_KEY : '<one of API_KEYS>';
    console.log(`webhook endpoint ${endpoint.url} (${endpoint.id}) is enabled`);
    console.log(`API: curl -H "Authorization: Bearer ${key}" http://localhost:${config.port}/v1/payments`);
    console.log(`docs: http://localhost:${config.port}/docs`);
  } finally {
    await prisma.$disconnect();
    await database.onApplicationShutdown();
  }
}

seed(loadConfig()).catch((error: unknown) => {
  console.error(error instanceof InvalidConfigError ? error.message : error);
  process.exit(1);
});
