import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, concatMap, from, Observable, of, throwError } from 'rxjs';
import { ValidationFailedError } from '../errors/domain-error';
import { IdempotencyStore } from './idempotency.store';
import { hashRequestBody } from './request-hash';

const IDEMPOTENT = 'idempotency:enabled';
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';

/** Marks a creating POST handler as accepting an `Idempotency-Key` header. */
export const Idempotent = () => SetMetadata(IDEMPOTENT, true);

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
    if (!this.reflector.get<boolean>(IDEMPOTENT, context.getHandler()) || key === undefined) {
      return next.handle();
    }
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
      throw new ValidationFailedError([{ field: 'Idempotency-Key', message: 'must be a single value of 1 to 255 characters' }]);
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const scope = `${request.principal?.id ?? 'anonymous'}:${request.method} ${request.routeOptions.url}:${key}`;
    const reservation = await this.store.reserve(scope, hashRequestBody(request.body));

    if (reservation.kind === 'replay') {
      void reply.status(reservation.status).header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
      return of(reservation.body);
    }
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
