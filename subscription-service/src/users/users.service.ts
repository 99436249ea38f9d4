import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { User } from '../generated/prisma/client';
import { issueApiKey } from '../api-keys/api-key.repository';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Clock, CLOCK } from '../platform/time/clock';
import { Database } from '../platform/database/database';
import { isUniqueViolation } from '../platform/database/database-errors';
import { PrismaService } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { afterCursor, cursorAfter, LIST_ORDER, ListPage, PaginationQuery, toPage } from '../platform/http/pagination';
import { IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult, runIdempotent } from '../platform/idempotency/idempotent-transaction';
import { CreatedUserResponse, CreateUserRequest, UpdateUserRequest, UserResponse } from './dto/user.dto';
import { insertUser } from './user.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly db: Database,
    private readonly prisma: PrismaService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Creates a user with their first API key (a row of `api_keys`, as `POST /v1/users/{id}/api-keys` issues), shown
   * in this response only (the service keeps its SHA-256). A replay of the request (same Idempotency-Key) answers
   * the user without the key: it is never stored.
   */
  async createUser(
    request: CreateUserRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<CreatedUserResponse>> {
    const now = this.clock.now();
    try {
      return await this.db.transaction((tx) =>
        runIdempotent(
          tx,
          idempotency,
          now,
          async () => {
            const user = await insertUser(tx, {
              id: randomUUID(),
              email: request.email,
              name: request.name,
              createdAt: now,
            });
            const apiKey = await issueApiKey(tx, user.id, now);
            return { ...toUserResponse(user), apiKey: apiKey.key };
          },
          ({ apiKey, ...withoutKey }) => withoutKey,
        ),
      );
    } catch (error) {
      throw this.translateEmailConflict(error, request.email);
    }
  }

  async listUsers(query: PaginationQuery): Promise<ListPage<UserResponse>> {
    const cursor = await cursorAfter(query.startingAfter, (id) => this.prisma.user.findUnique({ where: { id } }));
    const rows = await this.prisma.user.findMany({
      where: afterCursor(cursor),
      orderBy: LIST_ORDER,
      take: query.limit + 1,
    });
    return toPage(rows, query.limit, toUserResponse);
  }

  async getUser(principal: Principal, id: string): Promise<UserResponse> {
    return toUserResponse(await this.findVisibleUser(principal, id));
  }

  async updateUser(principal: Principal, id: string, request: UpdateUserRequest): Promise<UserResponse> {
    await this.findVisibleUser(principal, id);
    try {
      const user = await this.prisma.user.update({
        where: { id },
        data: { name: request.name, email: request.email, updatedAt: this.clock.now() },
      });
      return toUserResponse(user);
    } catch (error) {
      throw this.translateEmailConflict(error, request.email);
    }
  }

  async getCurrentUser(principal: Principal): Promise<UserResponse> {
    if (isAdmin(principal)) {
      throw new DomainError('forbidden', 'An admin key does not belong to a user; use a user API key.');
    }
    return this.getUser(principal, principal.userId);
  }

  /** Users see only themselves; anything else is reported as not found rather than forbidden. */
  private async findVisibleUser(principal: Principal, id: string): Promise<User> {
    const user =
      isAdmin(principal) || principal.userId === id ? await this.prisma.user.findUnique({ where: { id } }) : null;
    if (!user) throw DomainError.notFound('User', id);
    return user;
  }

  private translateEmailConflict(error: unknown, email: string | undefined): unknown {
    return isUniqueViolation(error, 'email')
      ? new DomainError('email_taken', `A user with email ${email} already exists.`)
      : error;
  }
}

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    object: 'user',
    email: user.email,
    name: user.name,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
