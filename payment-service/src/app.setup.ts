import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AppConfig } from './config/app-config';
import { FRAMEWORK_ERROR_OPTIONS } from './platform/http/framework-errors';
import { registerInputLimits } from './platform/http/input-limits';
import { REQUEST_ID_HEADER, requestIdFor } from './platform/http/request-id';
import { applySecurityHeaders } from './platform/http/security-headers';
import { AccessLog } from './platform/logging/logger';
import { setUpSwagger } from './platform/http/swagger';
import { createValidationPipes } from './platform/http/validation';

const BODY_LIMIT_BYTES = 100 * 1024;

/** Fastify options shared by main.ts and the e2e tests; `logger` logs every request (AccessLog). */
export function createFastifyAdapter(logger: PinoLogger): FastifyAdapter {
  return new FastifyAdapter({
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT_BYTES,
    loggerInstance: logger,
    logController: new AccessLog(),
    ...FRAMEWORK_ERROR_OPTIONS,
  });
}

/** Everything between "module compiled" and "listening"; shared by main.ts and the e2e tests. */
export function configureApp(app: NestFastifyApplication): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  applySecurityHeaders(fastify, {
    contentSecurityPolicy: {
      directives: {
        // Swagger UI needs inline styles and data: images; scripts are served from /docs itself.
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
        scriptSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  registerInputLimits(fastify);
  app.useGlobalPipes(...createValidationPipes());
  if (config.swaggerEnabled) {
    setUpSwagger(app);
  }
}
