import { isSpanContextValid, trace } from '@opentelemetry/api';
import { FastifyReply, FastifyRequest, LogController } from 'fastify';
import pino, { DestinationStream, Logger } from 'pino';
import { REDACTED, redactUrl } from './redact-url';

/**
 * Headers never logged: credentials wherever a client put them (`Authorization`, and keys sent in the wrong header,
 * `X-Api-Key` / `Api-Key`, which the services ignore but a client may still send), cookies, webhook signatures.
 */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie', 'webhook-signature'];

/**
 * The service's one pino logger: Fastify logs requests with it (a child per request carrying `reqId`)
 * and nestjs-pino writes the application's logs with it (bound to the request being served). Writes are
 * asynchronous: a log line costs no write(2) of its own under load; pino flushes the buffer at exit. Every line
 * goes through pino's redaction: secret headers become `[redacted]`, and `req.url` keeps its path and parameters but
 * not the value of a secret one (redactUrl). A line written inside a traced operation carries its `trace_id` and
 * `span_id` (hex, as OpenTelemetry shows them: traceMixin). `destination` is for tests.
 */
export function createLogger(
  level: string,
  destination: DestinationStream = pino.destination({ sync: false }),
): Logger {
  return pino(
    {
      level,
      mixin: traceMixin,
      redact: {
        paths: [...SECRET_HEADERS.map((header) => `req.headers["${header}"]`), 'req.url'],
        censor: (value: unknown, path: string[]) =>
          path[path.length - 1] === 'url' ? (typeof value === 'string' ? redactUrl(value) : value) : REDACTED,
      },
    },
    destination,
  );
}

/**
 * `{ trace_id, span_id }` of the active span, for every log line (pino mixin); `{}` outside a span, and always when
 * tracing is off (then the OpenTelemetry API has no active span: one cheap lookup per line).
 */
export function traceMixin(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext)
    ? { trace_id: spanContext.traceId, span_id: spanContext.spanId }
    : {};
}

/**
 * Fastify's request log lines: one per request, when it completes (method, path, status, time), none for
 * successful health probes (a failing one, e.g. a 503 from /health/ready, is logged). It replaces pino-http
 * as Nest middleware, whose child loggers, serializers and response listeners cost a quarter of the CPU of a
 * cheap request (docs/performance.md).
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      req: { method: request.method, url: request.url },
      res: { statusCode: reply.statusCode },
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) {
      reply.log.error({ ...line, err: error }, 'request errored');
    } else if (reply.statusCode >= 400 || !request.url.startsWith('/health')) {
      reply.log.info(line, 'request completed');
    }
  }
}
