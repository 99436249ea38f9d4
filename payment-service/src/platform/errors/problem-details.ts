import { HttpException, HttpStatus } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { Prisma } from '../../generated/prisma/client';
import { isPoolExhausted, isRetryableConflict, isUniqueViolation } from '../database/database-errors';
import { DomainError, FieldError, ValidationFailedError } from './domain-error';

/** RFC 9457 body shared by every error response (docs/contracts.md). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://errors.billing.example/';

const CODE_BY_STATUS: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: 'malformed_json',
  [HttpStatus.UNAUTHORIZED]: 'unauthorized',
  [HttpStatus.FORBIDDEN]: 'forbidden',
  [HttpStatus.NOT_FOUND]: 'not_found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'method_not_allowed',
  [HttpStatus.CONFLICT]: 'conflict',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'payload_too_large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'unsupported_media_type',
  [HttpStatus.TOO_MANY_REQUESTS]: 'rate_limited',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'service_unavailable',
};

type ProblemWithoutId = Omit<ProblemDetails, 'requestId' | 'type'>;

function fromHttpException(exception: HttpException): ProblemWithoutId {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const title = HttpStatus[status] ? titleCase(HttpStatus[status]) : 'Error';
  const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  const detail =
    status >= 500 ? 'The service is unavailable.' : typeof message === 'string' ? message : exception.message;
  return { title, status, detail, code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'bad_request') };
}

function fromPrismaError(error: Prisma.PrismaClientKnownRequestError): ProblemWithoutId | undefined {
  switch (error.code) {
    case 'P2002':
      return {
        title: 'Conflict',
        status: 409,
        detail: 'A resource with the same unique value already exists.',
        code: 'conflict',
      };
    case 'P2025':
      return { title: 'Not Found', status: 404, detail: 'The resource does not exist.', code: 'not_found' };
    default:
      return undefined;
  }
}

const INTERNAL_ERROR: ProblemWithoutId = {
  title: 'Internal Server Error',
  status: 500,
  detail: 'An unexpected error occurred.',
  code: 'internal_error',
};

/** Maps anything thrown while serving a request to the one error shape; unknown errors reveal nothing. */
export function toProblemDetails(exception: unknown, requestId: string): ProblemDetails {
  let problem: ProblemWithoutId = INTERNAL_ERROR;
  if (exception instanceof ValidationFailedError) {
    problem = { ...pick(exception), errors: exception.errors };
  } else if (exception instanceof DomainError) {
    problem = pick(exception);
  } else if (exception instanceof ThrottlerException) {
    problem = {
      title: 'Too Many Requests',
      status: 429,
      detail: 'Rate limit exceeded; retry later.',
      code: 'rate_limited',
    };
  } else if (exception instanceof HttpException) {
    problem = fromHttpException(exception);
  } else if (isRetryableConflict(exception)) {
    // A write conflict or deadlock rolled the whole transaction back: never a server bug, the request can be retried.
    problem = {
      title: 'Conflict',
      status: 409,
      detail: 'The request conflicted with a concurrent change and was rolled back; retry it.',
      code: 'conflict',
    };
  } else if (isPoolExhausted(exception)) {
    problem = {
      title: 'Service Unavailable',
      status: 503,
      detail: 'The service is busy and no database connection became free in time; retry later.',
      code: 'service_unavailable',
    };
  } else if (isUniqueViolation(exception)) {
    problem = {
      title: 'Conflict',
      status: 409,
      detail: 'A resource with the same unique value already exists.',
      code: 'conflict',
    };
  } else if (exception instanceof Prisma.PrismaClientKnownRequestError) {
    problem = fromPrismaError(exception) ?? INTERNAL_ERROR;
  }
  return { type: TYPE_BASE + problem.code, ...problem, requestId };
}

function pick({ title, status, detail, code }: DomainError): ProblemWithoutId {
  return { title, status, detail, code };
}

function titleCase(constant: string): string {
  return constant
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}
