import { RouteConfig } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest, RawServerDefault } from 'fastify';
import { DomainError } from '../errors/domain-error';

/** Fastify route config key set by @RawJsonBody(). */
const RAW_JSON_BODY = 'rawJsonBody';

interface RawJsonBodyConfig {
  /** Largest body the route reads; a longer one is refused with 413 while it arrives. */
  readonly limitBytes: number;
}

/**
 * The route receives an `application/json` body as the exact bytes sent (a Buffer, never parsed by the framework),
 * at most `limitBytes`. For webhooks: their signature covers the raw bytes, and they are verified before anything
 * parses them (Standard Webhooks, "verify the payload before parsing"). Needs registerJsonBodyParser().
 */
export const RawJsonBody = (limitBytes: number): MethodDecorator =>
  RouteConfig({ [RAW_JSON_BODY]: { limitBytes } satisfies RawJsonBodyConfig });

/**
 * The service's one `application/json` body parser, with Fastify's own JSON parsing (prototype-poisoning checks
 * included) on every route except @RawJsonBody() ones, which get the raw Buffer and their own body limit. It
 * replaces Nest's parsers, which keep a raw copy of every body when one route needs it, and also parse
 * `application/x-www-form-urlencoded` (the API takes JSON: a form body is now 415). Call before `app.init()`: routes
 * pick up their limit as they are registered.
 */
export function registerJsonBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route) => {
    const raw = (route.config as Record<string, RawJsonBodyConfig | undefined> | undefined)?.[RAW_JSON_BODY];
    if (raw) route.bodyLimit = raw.limitBytes;
  });
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const { bodyLimit } = fastify.initialConfig;
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    const config: object = request.routeOptions.config;
    if (RAW_JSON_BODY in config) {
      done(null, body);
      return;
    }
    // Fastify's default parser is the callback kind (it returns nothing).
    void parseJson(request, body.toString('utf8'), done);
  });
}

/**
 * The raw bytes of a @RawJsonBody() route's request (empty when it had no body).
 * @throws DomainError unsupported_media_type (415) when the body came with another media type (then it is no Buffer).
 */
export function rawJsonBody(request: FastifyRequest): Buffer {
  if (request.body === undefined || request.body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(request.body)) return request.body;
  throw new DomainError('unsupported_media_type', 'The body must be application/json.');
}
