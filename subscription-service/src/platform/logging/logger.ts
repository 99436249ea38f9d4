import { FastifyReply, FastifyRequest, LogController } from 'fastify';
import pino, { Logger } from 'pino';

/** Never logged: credentials and webhook signatures. */
const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["webhook-signature"]', 'req.headers.cookie'];

/**
 * The service's one pino logger: Fastify logs requests with it (a child per request carrying `reqId`)
 * and nestjs-pino writes the application's logs with it (bound to the request being served). Writes are
 * asynchronous: a log line costs no write(2) of its own under load; pino flushes the buffer at exit.
 */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, pino.destination({ sync: false }));
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
