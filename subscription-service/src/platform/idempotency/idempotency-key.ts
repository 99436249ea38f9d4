import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { AuthenticatedRequest } from '../auth/auth.decorators';
import { principalId } from '../auth/principal';
import { DomainError } from '../errors/domain-error';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_RULE, readIdempotencyKey } from './idempotency-header';
import { idempotencyRequestHash } from './request-hash';

/** An idempotent request: what `runIdempotent` records with its effects and compares a retry against. */
export interface IdempotencyRequest {
  /** principal id + method + route pattern: the same key from another caller or on another route is another key. */
  readonly scope: string;
  /** The client's Idempotency-Key (1–255 characters). */
  readonly key: string;
  /** SHA-256 of the canonical body and path parameters. */
  readonly requestHash: string;
  /** The status a successful first response has, replayed with it. */
  readonly successStatus: number;
}

/**
 * The request's Idempotency-Key and fingerprint, or undefined when it carries no key.
 * @throws DomainError `validation_failed` (400) for a key that is not a single value of 1–255 characters.
 */
export function idempotencyRequestOf(request: AuthenticatedRequest, handler: object): IdempotencyRequest | undefined {
  const key = readIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]);
  if (key === undefined) return undefined;
  if (key === null) throw DomainError.validation([{ field: 'Idempotency-Key', message: IDEMPOTENCY_KEY_RULE }]);
  const scope = [
    request.principal ? principalId(request.principal) : 'anonymous',
    request.method,
    request.routeOptions.url ?? request.url,
  ].join(' ');
  const successStatus =
    (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
    (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
  return {
    scope,
    key,
    requestHash: idempotencyRequestHash(request.body, request.params as Record<string, string>),
    successStatus,
  };
}

/** Handler parameter of an @Idempotent() route: its IdempotencyRequest (see idempotencyRequestOf), or undefined. */
export const Idempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyRequest | undefined =>
    idempotencyRequestOf(context.switchToHttp().getRequest<AuthenticatedRequest>(), context.getHandler()),
);
