import type { FastifyInstance } from 'fastify';
import helmet, { HelmetOptions } from 'helmet';

/**
 * Helmet's security headers on every response (404s and errors included), with the middleware built
 * once at startup and applied in one onRequest hook. @fastify/helmet rebuilds the whole helmet
 * middleware on every request (its CSP directives parsed each time): 12 % of the CPU of a cheap request
 * in the profile of docs/performance.md.
 */
export function applySecurityHeaders(fastify: FastifyInstance, options: HelmetOptions): void {
  const setHeaders = helmet(options);
  fastify.addHook('onRequest', (request, reply, done) => setHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
}
