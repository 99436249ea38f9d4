import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AppConfig } from './config/app-config';
import { fastifyTrustProxy } from './config/trusted-proxies';
import { FRAMEWORK_ERROR_OPTIONS } from './platform/http/framework-errors';
import { registerInputLimits } from './platform/http/input-limits';
import { REQUEST_ID_HEADER, requestIdFor } from './platform/http/request-id';
import { applySecurityHeaders, SECURITY_HEADERS } from './platform/http/security-headers';
import { AccessLog } from './platform/logging/logger';
import { observeHttpRequests } from './platform/metrics/http-metrics';
import { setUpSwagger } from './platform/http/swagger';
import { createValidationPipes } from './platform/http/validation';

const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * Fastify options shared by main.ts and the e2e tests; `logger` logs every request (AccessLog); X-Forwarded-For is
 * believed only from `trustedProxies` (TRUSTED_PROXIES), so `request.ip`, which the rate limits key on, is the
 * client's own address or the one a trusted proxy reports.
 */
export function createFastifyAdapter(logger: PinoLogger, trustedProxies: readonly string[]): FastifyAdapter {
  return new FastifyAdapter({
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(trustedProxies),
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
  observeHttpRequests(fastify);
  applySecurityHeaders(fastify, SECURITY_HEADERS);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  registerInputLimits(fastify);
  app.useGlobalPipes(...createValidationPipes());
  if (config.swaggerEnabled) {
    setUpSwagger(app, config.demoMode);
  }
}
