import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Prisma } from '../../generated/prisma/client';
import { isPoolExhausted, isRetryableConflict, isUniqueViolation } from '../database/database-errors';
import { DomainError, FieldError } from './domain-error';
import { ERROR_CATALOG, ErrorCode, PROBLEM_TYPE_BASE } from './error-catalog';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: readonly FieldError[];
}

const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** Maps every error (validation, domain, Prisma, Fastify, unknown) to RFC 9457 problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.toProblem(exception, String(request.id));

    if (problem.status >= 500) {
      this.logger.error({ err: exception }, 'unhandled error');
    }
    void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
  }

  private toProblem(exception: unknown, requestId: string): ProblemDetails {
    const { code, detail, errors } = this.classify(exception);
    const { status, title } = ERROR_CATALOG[code];
    return {
      type: PROBLEM_TYPE_BASE + code,
      title,
      status,
      detail,
      code,
      requestId,
      ...(errors ? { errors } : {}),
    };
  }

  private classify(exception: unknown): { code: ErrorCode; detail: string; errors?: readonly FieldError[] } {
    if (exception instanceof DomainError) {
      return { code: exception.code, detail: exception.detail, errors: exception.fieldErrors };
    }
    if (exception instanceof ThrottlerException) {
      return { code: 'rate_limited', detail: 'Rate limit exceeded; retry later.' };
    }
    // Contention is never a server bug: a write conflict or deadlock (PostgreSQL 40001/40P01, Prisma P2034)
    // rolled the whole transaction back, so the request can simply be retried.
    if (isRetryableConflict(exception)) {
      return {
        code: 'conflict',
        detail: 'The request conflicted with a concurrent change and was rolled back; retry it.',
      };
    }
    if (isUniqueViolation(exception)) return { code: 'conflict', detail: 'The resource already exists.' };
    if (isPoolExhausted(exception))
      return {
        code: 'service_unavailable',
        detail: 'The service is busy and no database connection became free in time; retry later.',
      };
    if (exception instanceof Prisma.PrismaClientKnownRequestError) {
      if (exception.code === 'P2025') return { code: 'not_found', detail: 'The resource was not found.' };
      if (exception.code === 'P2034') {
        return {
          code: 'conflict',
          detail: 'The request conflicted with a concurrent change and was rolled back; retry it.',
        };
      }
      // No connection/transaction could be obtained in time (P2028): overloaded, not broken.
      if (exception.code === 'P2028') {
        return {
          code: 'service_unavailable',
          detail: 'The service is busy and could not start the transaction in time; retry later.',
        };
      }
      return { code: 'internal_error', detail: 'An unexpected error occurred.' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest re-throws Fastify's body-parser errors as a plain HttpException (its subclasses come from our code).
      if (exception.constructor === HttpException && status === HttpStatus.BAD_REQUEST) {
        return { code: 'malformed_json', detail: exception.message };
      }
      const code = HTTP_STATUS_CODES[status];
      if (code) return { code, detail: status === HttpStatus.NOT_FOUND ? 'No such route.' : exception.message };
      return { code: 'internal_error', detail: 'An unexpected error occurred.' };
    }
    return { code: 'internal_error', detail: 'An unexpected error occurred.' };
  }
}
