import type { FastifyInstance } from 'fastify';
import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The services' security headers: helmet's defaults with this Content-Security-Policy. Swagger UI (/docs) loads every
 * script from the service itself (swagger-ui-bundle.js, swagger-ui-standalone-preset.js and swagger-ui-init.js,
 * which carries the document; @nestjs/swagger writes no inline script unless given `customJsStr`), so scripts are
 * `'self'` only: no `'unsafe-inline'`, no other origin, no inline event handlers (helmet's `script-src-attr 'none'`).
 * Its page has inline `<style>` blocks and `style` attributes, so styles keep `'unsafe-inline'` (they cannot run
 * code). No `upgrade-insecure-requests`: the demo setups serve plain HTTP, and TLS ends at the gateway.
 */
export const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
      // helmet's default also allows fonts from any https: origin; Swagger UI ships its fonts inline (data:).
      fontSrc: ["'self'", 'data:'],
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * Helmet's security headers on every response (404s and errors included). Without CSP nonces they are the
 * same for every request, so helmet runs once at startup against a recording response and each request only
 * copies the recorded headers. @fastify/helmet rebuilt the whole helmet middleware on every request (its CSP
 * directives parsed each time): 12 % of the CPU of a cheap request in the profile of docs/performance.md.
 */
export function applySecurityHeaders(fastify: FastifyInstance, options: HelmetOptions): void {
  const headers = recordHelmetHeaders(options);
  applied.set(fastify, headers);
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}

const applied = new WeakMap<FastifyInstance, Readonly<Record<string, string>>>();

/**
 * The headers `applySecurityHeaders` gave `fastify` (none before it ran), for responses written outside the
 * request lifecycle, where no onRequest hook runs (framework-errors.ts).
 */
export function securityHeadersOf(fastify: FastifyInstance): Readonly<Record<string, string>> {
  return applied.get(fastify) ?? {};
}

/** The headers helmet sets for `options`, by running its middleware once on a response that only records them. */
export function recordHelmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: number | string | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet failed to build its headers');
  });
  return headers;
}
