import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_RULE, readIdempotencyKey } from './idempotency-header';
import { idempotencyRequestHash } from './request-hash';

export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_REPLAYED_HEADER } from './idempotency-header';

/**
 * What a creating handler needs to enforce an Idempotency-Key at the data level: it writes `scope` and
 * `requestHash` in a unique column of the row it creates, in the same statement (docs/contracts.md).
 */
export interface IdempotencyContext {
  /** `<principal>:<METHOD> <route pattern>:<Idempotency-Key>`. */
  scope: string;
  /** SHA-256 of the canonical request body and path parameters (see `idempotencyRequestHash`). */
  requestHash: string;
}

export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body.');
  }
}

/**
 * The request's idempotency scope (caller + method + route pattern + key) and body hash, or undefined
 * when it carries no Idempotency-Key.
 * @throws DomainError 400 `validation_failed` for a key that is not a single value of 1–255 characters.
 */
export function idempotencyContextOf(request: FastifyRequest): IdempotencyContext | undefined {
  const key = readIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]);
  if (key === undefined) return undefined;
  if (key === null) throw DomainError.validation([{ field: 'Idempotency-Key', message: IDEMPOTENCY_KEY_RULE }]);
  return {
    scope: `${request.principal?.id ?? 'anonymous'}:${request.method} ${request.routeOptions.url}:${key}`,
    requestHash: idempotencyRequestHash(request.body, request.params as Record<string, string>),
  };
}

/** Handler parameter: the request's IdempotencyContext (see idempotencyContextOf), or undefined without a key. */
export const Idempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyContext | undefined =>
    idempotencyContextOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
