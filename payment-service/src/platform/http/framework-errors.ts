import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../errors/error-catalog';
import { FRAMEWORK_DETAILS, PROBLEM_CONTENT_TYPE, problemFor } from '../errors/problem-details';
import { securityHeadersOf } from './security-headers';

/**
 * Fastify options for the errors Fastify answers itself, before a request reaches Nest and its exception filter:
 * - `frameworkErrors` (router): a URL that is not valid percent-encoding (400 `bad_request`) and a path parameter
 *   longer than Fastify's maxParamLength of 100 characters (414 `uri_too_long`);
 * - `clientErrorHandler` (Node's HTTP parser, before a request exists): headers over Node's 16 KiB
 *   (431 `header_fields_too_large`), a request not received in time (408), any malformed request (400).
 * Both answer the same RFC 9457 problem+json as every other error, with an `X-Request-Id` (the request's, or a new
 * UUID when there is no request yet) and the security headers; never the URL or anything else of the input.
 */
export const FRAMEWORK_ERROR_OPTIONS = {
  frameworkErrors: answerRoutingError,
  clientErrorHandler: answerClientError,
} satisfies Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'>;

function answerRoutingError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const code: ErrorCode =
    error.code === 'FST_ERR_BAD_URL'
      ? 'bad_request'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'uri_too_long'
        : 'internal_error';
  const problem = problemFor(code, FRAMEWORK_DETAILS[code], String(request.id));
  request.log.info({ fastifyCode: error.code, status: problem.status }, 'request refused before routing');
  void reply
    .code(problem.status)
    .headers({ ...securityHeadersOf(request.server), 'x-request-id': String(request.id) })
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}

function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer (as in Fastify's default handler).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'header_fields_too_large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_timeout'
        : 'bad_request';
  const requestId = randomUUID();
  const problem = problemFor(code, FRAMEWORK_DETAILS[code], requestId);
  const body = JSON.stringify(problem);
  const headers = {
    ...securityHeadersOf(this),
    'x-request-id': requestId,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  this.log.info({ reqId: requestId, nodeCode: error.code, status: problem.status }, 'malformed HTTP request refused');
  if (socket.writable) {
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n${head}\r\n${body}`);
  }
  socket.destroy(error);
}
