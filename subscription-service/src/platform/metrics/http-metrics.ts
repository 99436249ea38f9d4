import type { FastifyInstance } from 'fastify';
import { Histogram } from 'prom-client';
import { PROCESS_METRICS } from './metrics-registry';

/** Seconds; from 5 ms (a cached read) to 10 s (the longest a request may wait for a pool connection). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Route label of a request no route matched (404s, and requests Fastify refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * `http_request_duration_seconds{method, route, status_class}`: every answered request, by the route *template*
 * (`/v1/subscriptions/:id`, never the id itself, so series stay few) and the status class (`2xx` … `5xx`).
 */
export const HTTP_REQUEST_DURATION = new Histogram<'method' | 'route' | 'status_class'>({
  name: 'http_request_duration_seconds',
  help: 'Time from receiving a request to sending its answer, by method, route template and status class.',
  labelNames: ['method', 'route', 'status_class'],
  buckets: DURATION_BUCKETS,
  registers: [PROCESS_METRICS],
});

/** `2xx` for 200–299 and so on; `other` for a code outside 100–599. */
export function statusClass(statusCode: number): string {
  return statusCode >= 100 && statusCode < 600 ? `${Math.floor(statusCode / 100)}xx` : 'other';
}

/** The labels of one answered request (pure; see observeHttpRequests). */
export function httpLabels(
  method: string,
  routeTemplate: string | undefined,
  statusCode: number,
): Record<'method' | 'route' | 'status_class', string> {
  return {
    method: METHODS.includes(method) ? method : 'other',
    route: routeTemplate ?? UNMATCHED_ROUTE,
    status_class: statusClass(statusCode),
  };
}

/**
 * Observes every response of `fastify` in HTTP_REQUEST_DURATION (Fastify's `onResponse` hook: after the answer is
 * sent, with `reply.elapsedTime` in ms). The route is `request.routeOptions.url`, the template the router matched.
 */
export function observeHttpRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    HTTP_REQUEST_DURATION.observe(
      httpLabels(request.method, request.routeOptions.url, reply.statusCode),
      reply.elapsedTime / 1000,
    );
    done();
  });
}
