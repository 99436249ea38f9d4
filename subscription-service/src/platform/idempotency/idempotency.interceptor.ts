import { CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { catchError, concatMap, from, map, Observable, of, switchMap, throwError } from 'rxjs';
import { Prisma } from '../../generated/prisma/client';
import { AuthenticatedRequest } from '../auth/auth.decorators';
import { principalId } from '../auth/principal';
import { Clock, CLOCK } from '../clock';
import { isUniqueViolation, PrismaService } from '../database/prisma.service';
import { DomainError } from '../errors/domain-error';
import { IDEMPOTENT } from './idempotent.decorator';
import { idempotencyRequestHash } from './request-hash';

const KEY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

/**
 * A reservation still in flight (no response stored) after this long is presumed orphaned: the process
 * running the first request died (kill -9, OOM, deploy) between reserving the key and storing the
 * response, and nothing else will ever release it. A retry with the same key and the same body may then
 * take it over and run the handler again, instead of getting 409 idempotency_key_in_use for 24 h. Far
 * above any normal request duration (same value as payment-service).
 *
 * Running the handler a second time is safe for EVERY @Idempotent() route of this service, because each
 * one is guarded at the data level, so a first run that did commit before the crash cannot be repeated:
 * - POST /v1/subscriptions: one live subscription per user (UNIQUE live_user_id) → 409 subscription_exists;
 * - POST /v1/users: UNIQUE email → 409 email_taken;
 * - POST /v1/plans: UNIQUE code → 409 plan_code_taken;
 * - POST /v1/subscriptions/{id}/change-plan: an upgrade leaves pendingPlanId set → 409 plan_change_pending
 *   (a downgrade only re-schedules the same plan, a no-op);
 * - POST /v1/subscriptions/{id}/pay: the attempt it created is still pending → 409 payment_in_progress.
 * Before adding @Idempotent() to a route without such a guard, make it have one.
 */
export const IDEMPOTENCY_TAKEOVER_AFTER_MS = 30_000;

type Reservation = { kind: 'reserved'; id: string } | { kind: 'replay'; status: number; body: unknown };

/**
 * Idempotency-Key support backed by the `idempotency_keys` table. A unique insert on
 * (scope, key) reserves the key before the handler runs, so concurrent duplicates cannot both
 * execute; the stored response is replayed afterwards. Scope = principal + method + route pattern.
 * A reservation orphaned by a crashed request is taken over by a retry after
 * IDEMPOTENCY_TAKEOVER_AFTER_MS.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly prisma: PrismaService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw DomainError.validation([{ field: 'Idempotency-Key', message: 'must be 1 to 255 characters' }]);
    }

    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const successStatus =
      this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ??
      (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    const scope = [
      request.principal ? principalId(request.principal) : 'anonymous',
      request.method,
      request.routeOptions.url ?? request.url,
    ].join(' ');
    const requestHash = idempotencyRequestHash(request.body, request.params as Record<string, string>);

    return from(this.reserve(scope, key, requestHash)).pipe(
      switchMap((reservation) => {
        if (reservation.kind === 'replay') {
          void reply.status(reservation.status).header('Idempotency-Replayed', 'true');
          return of(reservation.body);
        }
        return next.handle().pipe(
          // The handler failed: release the key so the client may retry.
          catchError((error: unknown) => from(this.release(reservation.id)).pipe(switchMap(() => throwError(() => error)))),
          concatMap((body) => from(this.complete(reservation.id, successStatus, body)).pipe(map(() => body))),
        );
      }),
    );
  }

  private async reserve(scope: string, key: string, requestHash: string): Promise<Reservation> {
    const now = this.clock.now();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const row = await this.prisma.idempotencyKey.create({
          data: { scope, key, requestHash, expiresAt: new Date(now.getTime() + KEY_TTL_MS), createdAt: now },
          select: { id: true },
        });
        return { kind: 'reserved', id: row.id };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const existing = await this.prisma.idempotencyKey.findUnique({ where: { scope_key: { scope, key } } });
      if (!existing) continue; // released meanwhile: try the reservation again
      if (existing.expiresAt <= now) {
        await this.prisma.idempotencyKey.deleteMany({ where: { id: existing.id, expiresAt: { lte: now } } });
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
      }
      if (existing.completedAt === null || existing.responseStatus === null) {
        if (await this.takeOver(existing.id, now)) return { kind: 'reserved', id: existing.id };
        throw new DomainError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed.');
      }
      return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
    }
    throw new DomainError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed.');
  }

  /**
   * Claims an in-flight reservation older than IDEMPOTENCY_TAKEOVER_AFTER_MS (see there why re-running
   * is safe). Restarting its clock is the claim: one conditional UPDATE, so of several concurrent retries
   * exactly one wins (the others see a fresh reservation and get 409); a younger one is left alone.
   */
  private async takeOver(id: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.idempotencyKey.updateMany({
      where: { id, completedAt: null, responseStatus: null, createdAt: { lte: new Date(now.getTime() - IDEMPOTENCY_TAKEOVER_AFTER_MS) } },
      data: { createdAt: now },
    });
    return count === 1;
  }

  private async complete(id: string, status: number, body: unknown): Promise<void> {
    // updateMany: if the first request was in fact alive after a takeover, it may have released the row meanwhile.
    await this.prisma.idempotencyKey.updateMany({
      where: { id },
      data: {
        responseStatus: status,
        // Stored as the client saw it (dates as ISO strings).
        responseBody: JSON.parse(JSON.stringify(body ?? null)) as Prisma.InputJsonValue,
        completedAt: this.clock.now(),
      },
    });
  }

  private async release(id: string): Promise<void> {
    await this.prisma.idempotencyKey.deleteMany({ where: { id } });
  }
}
