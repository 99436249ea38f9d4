import { INestApplication } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AppConfig } from './config/app-config';
import { ProblemDetailsFilter } from './platform/errors/problem-details.filter';
import { FRAMEWORK_ERROR_OPTIONS } from './platform/http/framework-errors';
import { registerInputLimits } from './platform/http/input-limits';
import { resolveRequestId } from './platform/http/request-id';
import { AccessLog } from './platform/logging/logger';
import { observeHttpRequests } from './platform/metrics/http-metrics';
import { createValidationPipes } from './platform/http/validation';
import { fastifyTrustProxy } from './config/trusted-proxies';
import { registerJsonBodyParser } from './platform/http/json-body';
import { applySecurityHeaders, SECURITY_HEADERS } from './platform/http/security-headers';
import { DEMO_KEYS, SEED_IDS } from './seed-ids';

/**
 * Fastify options shared by main.ts and the e2e tests; `logger` logs every request (AccessLog); X-Forwarded-For is
 * believed only from `trustedProxies` (TRUSTED_PROXIES), so `request.ip`, which the rate limits key on, is the
 * client's own address or the one a trusted proxy reports.
 */
export function createFastifyAdapter(logger: PinoLogger, trustedProxies: readonly string[]): FastifyAdapter {
  return new FastifyAdapter({
    genReqId: resolveRequestId,
    bodyLimit: 1024 * 1024,
    trustProxy: fastifyTrustProxy(trustedProxies),
    loggerInstance: logger,
    logController: new AccessLog(),
    ...FRAMEWORK_ERROR_OPTIONS,
  });
}

/** Logs are buffered until the pino logger is in place (the webhook's raw bytes come from registerJsonBodyParser). */
export const NEST_APP_OPTIONS = { bufferLogs: true } as const;

/** Everything main.ts applies to the app, so the e2e tests run the production pipeline. */
export function configureApp(app: NestFastifyApplication): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  registerJsonBodyParser(app);
  const fastify = app.getHttpAdapter().getInstance();
  observeHttpRequests(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });

  applySecurityHeaders(fastify, SECURITY_HEADERS);

  registerInputLimits(fastify);
  app.useGlobalPipes(...createValidationPipes());
  app.useGlobalFilters(new ProblemDetailsFilter());

  if (config.swaggerEnabled) setUpSwagger(app, config.demoMode);
}

const DEMO_KEYS_NOTE = ` Demo keys after \`npm run seed\`: admin \`${DEMO_KEYS.admin}\`, Alice \`${DEMO_KEYS.alice}\`,
Bob \`${DEMO_KEYS.bob}\` (Bob already has an active Starter subscription).`;

/** The document's introduction; the seeded demo keys only in demo mode (DEMO_MODE): public, never advertised elsewhere. */
const apiDescription = (demoMode: boolean): string => `
Users, plans, subscriptions and invoices of the billing platform. Payments are taken by the separate
payment service; its outcome comes back as a signed webhook.

**Authentication**: \`Authorization: Bearer <key>\` (click *Authorize*): an admin key from \`ADMIN_API_KEYS\`, or a
user's key (returned once by \`POST /v1/users\`).${demoMode ? DEMO_KEYS_NOTE : ''}

**Flow**
1. \`GET /v1/plans\` — pick a plan (e.g. Pro monthly \`${SEED_IDS.plans.proMonthly}\`).
2. As Alice: \`POST /v1/subscriptions\` \`{"planId":"${SEED_IDS.plans.proMonthly}","paymentMethod":"pm_card_visa"}\`
   → 201, status \`incomplete\`, \`latestInvoice\` open. In the same transaction an outbox message is written; a
   worker then calls the payment service \`POST /v1/payments\` (Idempotency-Key \`invoice-payment:<id>\`).
3. The payment service settles the payment and POSTs a signed \`payment.succeeded\` / \`payment.failed\` event to
   \`POST /v1/webhooks/payments\`.
4. \`GET /v1/subscriptions/{id}\` → \`active\`, \`hasAccess: true\`; \`GET /v1/subscriptions/{id}/history\` shows
   \`incomplete → active\` caused by the webhook event id. With \`pm_card_declined\` the invoice is \`failed\` and the
   subscription stays \`incomplete\`.
5. \`POST /v1/subscriptions/{id}/change-plan\` to Business (\`${SEED_IDS.plans.businessMonthly}\`) → prorated invoice;
   the plan switches once it is paid. Changing to Starter is scheduled for the period end.
6. \`POST /v1/subscriptions/{id}/cancel\` (\`atPeriodEnd\` true by default) and \`/resume\`.

**Conventions**: amounts are integers in minor units with an ISO-4217 currency; lists use
\`?limit=&startingAfter=\` and return \`{object:"list",data,hasMore,nextCursor}\`; errors are RFC 9457
\`application/problem+json\` with a stable \`code\` and the \`requestId\`; creating POSTs accept \`Idempotency-Key\`.
`;

function setUpSwagger(app: INestApplication, demoMode: boolean): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Subscription service')
      .setDescription(apiDescription(demoMode))
      .setVersion('1.0.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (admin or user)' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
