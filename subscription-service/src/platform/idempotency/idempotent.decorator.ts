import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

export const IDEMPOTENT = 'idempotency:enabled';

/** The operation honours an `Idempotency-Key` header (replayed for 24 h). */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Up to 255 characters. The same key with the same body within 24 h replays the first response ' +
        '(header Idempotency-Replayed: true); with a different body → 422; while the first request runs → 409 (after 30 s without a response ' +
        'the first request is presumed dead and a retry runs it again).',
    }),
  );
