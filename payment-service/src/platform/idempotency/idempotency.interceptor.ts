import { CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, concatMap, from, Observable, of, throwError } from 'rxjs';
import { ValidationFailedError } from '../errors/domain-error';
import { IdempotencyStore } from './idempotency.store';
import { hashRequestBody } from './request-hash';

const IDEMPOTENT = 'idempotency:options';
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';

export interface IdempotentOptions {
  /**
   * The handler stores `IdempotencyContext.scope` in a unique column in the same write that creates the
   * resource, and answers with the existing resource when that scope is already taken. Then a reservation
   * stuck in flight (its process died) can be taken over safely instead of answering 409 until it expires.
   */
  takeover?: boolean;
}

/** What an idempotent handler needs to enforce the key at the data level. */
export interface IdempotencyContext {
  /** `<principal>:<METHOD> <route pattern>:<Idempotency-Key>`. */
  scope: string;
  /** SHA-256 of the canonical request body. */
  requestHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by IdempotencyInterceptor when the request carries an Idempotency-Key. */
    idempotency?: IdempotencyContext;
  }
}

/** Marks a creating POST handler as accepting an `Idempotency-Key` header. */
export const Idempotent = (options: IdempotentOptions = {}) => SetMetadata(IDEMPOTENT, options);

/** The request's idempotency scope and body hash, or undefined when it carries no Idempotency-Key. */
export const Idempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyContext | undefined => context.switchToHttp().getRequest<FastifyRequest>().idempotency,
);

/**
 * Idempotency-Key semantics of docs/contracts.md: scope = caller + method + route pattern + key;
 * same body replays the stored response, another body is rejected, a failed handler frees the key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    const options = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENT, context.getHandler());
    if (!options || key === undefined) {
      return next.handle();
    }
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
      throw new ValidationFailedError([{ field: 'Idempotency-Key', message: 'must be a single value of 1 to 255 characters' }]);
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const scope = `${request.principal?.id ?? 'anonymous'}:${request.method} ${request.routeOptions.url}:${key}`;
    const requestHash = hashRequestBody(request.body);
    const reservation = await this.store.reserve(scope, requestHash, options.takeover === true);

    if (reservation.kind === 'replay') {
      void reply.status(reservation.status).header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
      return of(reservation.body);
    }
    request.idempotency = { scope, requestHash };
    return next.handle().pipe(
      concatMap(async (body) => {
        // Stored as the JSON the client received, so a replay is byte-for-byte the same resource.
        const json: unknown = JSON.parse(JSON.stringify(body ?? null));
        await this.store.complete(reservation.id, reply.statusCode, json);
        return json;
      }),
      catchError((error: unknown) => from(this.store.release(reservation.id)).pipe(concatMap(() => throwError(() => error)))),
    );
  }
}
