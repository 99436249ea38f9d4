import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { Prisma } from '../../generated/prisma/client';
import {
  isPoolExhausted,
  isRetryableConflict,
  isUniqueViolation,
  isValueRejectedByColumn,
} from '../database/database-errors';
import { DomainError, FieldError } from './domain-error';
import { ERROR_STATUS, ErrorCode } from './error-catalog';

/** The RFC 9457 problem document every error response carries (docs/contracts.md), plus `code` and `requestId`. */
export interface ProblemDetails {
  /** `PROBLEM_TYPE_BASE` + `code` (RFC 9457 §3.1.1). */
  type: string;
  /** `problemTitle(status)`. */
  title: string;
  status: number;
  /** What went wrong with this request; never an internal detail, never input echoed from a framework error. */
  detail: string;
  /** Stable snake_case code to branch on (error-catalog.ts). */
  code: string;
  requestId: string;
  /** Only for `validation_failed`: the refused fields. */
  errors?: readonly FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
export const PROBLEM_TYPE_BASE = 'https://errors.billing.example/';

/**
 * The one title of each status: its reason phrase (RFC 9110 §15; RFC 6585 for 429 and 431) in sentence case. The
 * title never changes from occurrence to occurrence (RFC 9457 §3.1.3) and is the same in both services; `code`
 * and `type` say which problem it is, `detail` what happened to this request.
 */
const TITLES: Readonly<Record<(typeof ERROR_STATUS)[ErrorCode], string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Content too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** The title of every problem with this status (see TITLES). */
export function problemTitle(status: (typeof ERROR_STATUS)[ErrorCode]): string {
  return TITLES[status];
}

/**
 * The detail of a problem the framework raised (Fastify or Nest) rather than our code: fixed per code, because the
 * framework's messages may echo the request (Nest's 404 names the path, Fastify's 414 the URL).
 */
export const FRAMEWORK_DETAILS = {
  malformed_json: 'The request body is not valid JSON (RFC 8259).',
  bad_request: 'The request is not valid HTTP: a malformed header, or a URL that is not valid percent-encoding.',
  unauthorized: 'A valid API key is required: Authorization: Bearer <key>.',
  forbidden: 'The operation is not allowed for this API key.',
  not_found: 'No such route.',
  method_not_allowed: 'This route does not accept this method.',
  request_timeout: 'The request was not received in time.',
  conflict: 'The request conflicts with the current state.',
  payload_too_large: 'The request body is larger than this service accepts.',
  uri_too_long: 'A path segment is longer than 100 characters.',
  unsupported_media_type: 'The request body must be application/json.',
  rate_limited: 'Rate limit exceeded; retry later.',
  header_fields_too_large: 'The request headers are larger than this service accepts.',
  internal_error: 'An unexpected error occurred.',
  service_unavailable: 'The service is unavailable; retry later.',
} as const satisfies Partial<Record<ErrorCode, string>>;

type FrameworkCode = keyof typeof FRAMEWORK_DETAILS;

/** The code of a framework HttpException by its status (a status missing here is a 500: nothing of ours raises it). */
const CODE_BY_STATUS: Readonly<Record<number, FrameworkCode | 'validation_failed'>> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'header_fields_too_large',
  503: 'service_unavailable',
};

const RETRY_CONFLICT = 'The request conflicted with a concurrent change and was rolled back; retry it.';

interface Classified {
  code: ErrorCode;
  detail: string;
  errors?: readonly FieldError[];
}

/** The problem document of `code` (its status and title from the catalogue). */
export function problemFor(
  code: ErrorCode,
  detail: string,
  requestId: string,
  errors?: readonly FieldError[],
): ProblemDetails {
  const status = ERROR_STATUS[code];
  return {
    type: PROBLEM_TYPE_BASE + code,
    title: problemTitle(status),
    status,
    detail,
    code,
    requestId,
    ...(errors ? { errors } : {}),
  };
}

/**
 * Maps anything thrown while serving a request to the one problem shape (RFC 9457). Unknown errors are a 500 that
 * reveals nothing; database contention is a 409 to retry, an exhausted pool a 503, and a value its column cannot
 * hold a 400 (`isValueRejectedByColumn`: validation should have refused it, but it is the client's input).
 */
export function toProblemDetails(exception: unknown, requestId: string): ProblemDetails {
  const { code, detail, errors } = classify(exception);
  return problemFor(code, detail, requestId, errors);
}

function classify(exception: unknown): Classified {
  if (exception instanceof DomainError) {
    return { code: exception.code, detail: exception.detail, errors: exception.fieldErrors };
  }
  if (exception instanceof ThrottlerException) return { code: 'rate_limited', detail: FRAMEWORK_DETAILS.rate_limited };
  if (exception instanceof HttpException) return fromHttpException(exception);
  // Contention is never a server bug: a write conflict or deadlock (PostgreSQL 40001/40P01, Prisma P2034) rolled
  // the whole transaction back, so the request can simply be retried.
  if (isRetryableConflict(exception) || isPrismaError(exception, 'P2034')) {
    return { code: 'conflict', detail: RETRY_CONFLICT };
  }
  if (isUniqueViolation(exception) || isPrismaError(exception, 'P2002')) {
    return { code: 'conflict', detail: 'A resource with the same unique value already exists.' };
  }
  if (isPoolExhausted(exception)) {
    return {
      code: 'service_unavailable',
      detail: 'The service is busy and no database connection became free in time; retry later.',
    };
  }
  // No connection/transaction could be obtained in time (P2028): overloaded, not broken.
  if (isPrismaError(exception, 'P2028')) {
    return {
      code: 'service_unavailable',
      detail: 'The service is busy and could not start the transaction in time; retry later.',
    };
  }
  if (isValueRejectedByColumn(exception)) {
    return {
      code: 'validation_failed',
      detail: 'A value in the request is too long, out of range, or holds a character this service cannot store.',
    };
  }
  if (isPrismaError(exception, 'P2025')) return { code: 'not_found', detail: 'The resource was not found.' };
  return { code: 'internal_error', detail: FRAMEWORK_DETAILS.internal_error };
}

/**
 * Nest's and Fastify's own exceptions. Nest re-throws Fastify's errors (the body parser's: not JSON, too large,
 * unsupported type) as a plain HttpException with Fastify's status, so a plain 400 is a body-parser failure:
 * `malformed_json`. Every other 400 comes from a Nest pipe (e.g. ParseUUIDPipe), whose message names the rule.
 */
function fromHttpException(exception: HttpException): Classified {
  const status = exception.getStatus();
  if (exception.constructor === HttpException && status === 400) {
    return { code: 'malformed_json', detail: FRAMEWORK_DETAILS.malformed_json };
  }
  const code = CODE_BY_STATUS[status];
  if (code === undefined) return { code: 'internal_error', detail: FRAMEWORK_DETAILS.internal_error };
  if (code === 'validation_failed') return { code, detail: exception.message };
  return { code, detail: FRAMEWORK_DETAILS[code] };
}

function isPrismaError(exception: unknown, code: string): boolean {
  return exception instanceof Prisma.PrismaClientKnownRequestError && exception.code === code;
}
