import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';
import { DomainError } from '../errors/domain-error';
import { Clock, CLOCK } from '../time/clock';

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export type Reservation =
  | { kind: 'execute'; id: string }
  | { kind: 'replay'; status: number; body: unknown };

class IdempotencyKeyInUseError extends DomainError {
  constructor() {
    super('idempotency_key_in_use', HttpStatus.CONFLICT, 'Conflict', 'A request with this Idempotency-Key is still being processed.');
  }
}

class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super(
      'idempotency_key_reused',
      HttpStatus.UNPROCESSABLE_ENTITY,
      'Unprocessable Content',
      'This Idempotency-Key was already used with a different request body.',
    );
  }
}

/** The `idempotency_keys` table. The unique scope, not a read-before-write, decides who runs the request. */
@Injectable()
export class IdempotencyStore {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async reserve(scope: string, requestHash: string): Promise<Reservation> {
    const now = this.clock.now();
    await this.prisma.idempotencyKey.deleteMany({ where: { scope, expiresAt: { lte: now } } });
    const id = randomUUID();
    const { count } = await this.prisma.idempotencyKey.createMany({
      data: [{ id, scope, requestHash, createdAt: now, expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS) }],
      skipDuplicates: true,
    });
    if (count === 1) {
      return { kind: 'execute', id };
    }
    const existing = await this.prisma.idempotencyKey.findUnique({ where: { scope } });
    if (existing && existing.requestHash !== requestHash) {
      throw new IdempotencyKeyReusedError();
    }
    if (!existing || existing.responseStatus === null) {
      throw new IdempotencyKeyInUseError();
    }
    return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
  }

  async complete(id: string, status: number, body: unknown): Promise<void> {
    await this.prisma.idempotencyKey.update({
      where: { id },
      data: { responseStatus: status, responseBody: body as Prisma.InputJsonValue, completedAt: this.clock.now() },
    });
  }

  /** The handler failed: forget the key so the client may retry with it. */
  async release(id: string): Promise<void> {
    await this.prisma.idempotencyKey.deleteMany({ where: { id } });
  }
}
