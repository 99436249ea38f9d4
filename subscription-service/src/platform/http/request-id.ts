import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Fastify genReqId: reuse the caller's X-Request-Id when it is safe to log and forward, else a new
 * UUID. The id is also set on the raw request so pino-http (nestjs-pino) logs the same value.
 */
export function resolveRequestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const candidate = Array.isArray(header) ? header[0] : header;
  const id = candidate && VALID_REQUEST_ID.test(candidate) ? candidate : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

/** The current request's id (Fastify request.id), e.g. to record what caused a change. */
export const RequestId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string =>
  String(ctx.switchToHttp().getRequest<FastifyRequest>().id),
);
