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
import { applySecurityHeaders } from './platform/http/security-headers';
import { createValidationPipes } from './platform/http/validation';
import { SEED_IDS } from './seed-ids';

/** Fastify options shared by main.ts and the e2e tests; `logger` logs every request (AccessLog). */
export function createFastifyAdapter(logger: PinoLogger): FastifyAdapter {
  return new FastifyAdapter({
    genReqId: resolveRequestId,
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    loggerInstance: logger,
    logController: new AccessLog(),
    ...FRAMEWORK_ERROR_OPTIONS,
  });
}

/** rawBody keeps the exact webhook bytes for signature checks. */
export const NEST_APP_OPTIONS = { rawBody: true, bufferLogs: true } as const;

/** Everything main.ts applies to the app, so the e2e tests run the production pipeline. */
export function configureApp(app: NestFastifyApplication): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });

  // Swagger UI needs inline styles/scripts; everything else keeps helmet's defaults.
  applySecurityHeaders(fastify, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:', 'validator.swagger.io'],
        scriptSrc: [`'self'`, `https: 'unsafe-inline'`],
      },
    },
  });

  registerInputLimits(fastify);
  app.useGlobalPipes(...createValidationPipes());
  app.useGlobalFilters(new ProblemDetailsFilter());

  if (config.swaggerEnabled) setUpSwagger(app);
}

const API_DESCRIPTION = `
Users, plans, subscriptions and invoices of the billing platform. Payments are taken by the separate
payment service; its outcome comes back as a signed webhook.

**Authentication**: \`Authorization: Bearer <key>\` (click *Authorize*). Demo keys after \`npm run seed\`:
admin \`sk_admin_demo_subscription_0001\`, Alice \`sk_user_demo_alice_0001\`, Bob \`sk_user_demo_bob_0001\`
(Bob already has an active Starter subscription).

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

function setUpSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Subscription service')
      .setDescription(API_DESCRIPTION)
      .setVersion('1.0.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (admin or user)' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
