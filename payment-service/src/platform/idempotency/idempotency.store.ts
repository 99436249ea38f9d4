import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';
import { DomainError } from '../errors/domain-error';
import { Clock, CLOCK } from '../time/clock';

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A reservation with no stored response for longer than this is presumed orphaned (the process running the
 * first request died between its writes). Routes whose handler enforces the scope at the data level may then
 * take it over; see `Idempotent({ takeover: true })`. Far above any normal request duration.
 */
export const IDEMPOTENCY_TAKEOVER_AFTER_MS = 30_000;

export type Reservation =
  | { kind: 'execute'; id: string }
  | { kind: 'replay'; status: number; body: unknown };

export class IdempotencyKeyInUseError extends DomainError {
  constructor() {
    super('idempotency_key_in_use', HttpStatus.CONFLICT, 'Conflict', 'A request with this Idempotency-Key is still being processed.');
  }
}

export class IdempotencyKeyReusedError extends DomainError {
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

  /**
   * @param takeover when true, a reservation left in flight for more than IDEMPOTENCY_TAKEOVER_AFTER_MS is
   * claimed by this request (one atomic UPDATE, so one winner) instead of answering 409. Only safe when the
   * handler itself cannot create a second resource for the same scope.
   */
  async reserve(scope: string, requestHash: string, takeover = false): Promise<Reservation> {
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
    if (existing && existing.responseStatus !== null) {
      return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
    }
    if (existing && takeover) {
      // Restarting the row's clock is the claim: concurrent takers race on this one conditional UPDATE.
      const claimed = await this.prisma.idempotencyKey.updateMany({
        where: { id: existing.id, responseStatus: null, createdAt: { lte: new Date(now.getTime() - IDEMPOTENCY_TAKEOVER_AFTER_MS) } },
        data: { createdAt: now },
      });
      if (claimed.count === 1) {
        return { kind: 'execute', id: existing.id };
      }
    }
    throw new IdempotencyKeyInUseError();
  }

  async complete(id: string, status: number, body: unknown): Promise<void> {
    // updateMany: after a takeover the first request may have released the row meanwhile; nothing to store then.
    await this.prisma.idempotencyKey.updateMany({
      where: { id },
      data: { responseStatus: status, responseBody: body as Prisma.InputJsonValue, completedAt: this.clock.now() },
    });
  }

  /** The handler failed: forget the key so the client may retry with it. */
  async release(id: string): Promise<void> {
    await this.prisma.idempotencyKey.deleteMany({ where: { id } });
  }
}
