import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { IdempotentResult } from './idempotent-transaction';

/** Answers an @Idempotent() handler's IdempotentResult: its body, or a replay with the first status and `Idempotency-Replayed: true`. */
@Injectable()
export class IdempotentResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<IdempotentResult<unknown>>): Observable<unknown> {
    return next.handle().pipe(
      map((result) => {
        if (result.replayed) {
          void context
            .switchToHttp()
            .getResponse<FastifyReply>()
            .status(result.status)
            .header('Idempotency-Replayed', 'true');
        }
        return result.body;
      }),
    );
  }
}

/**
 * The operation honours an `Idempotency-Key` header: its handler takes `@Idempotency()`, runs the
 * operation through `runIdempotent` and returns the IdempotentResult.
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    UseInterceptors(IdempotentResponseInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        "Up to 255 characters, scoped to your key and this route. The first response is stored with the operation's own effects, in one " +
        'transaction, and kept 24 h: the same key with the same body replays it (header Idempotency-Replayed: true); with a different body → 422. ' +
        'A duplicate sent while the first request runs waits for it and gets its response; a request that fails or dies leaves the key unused.',
    }),
  );
