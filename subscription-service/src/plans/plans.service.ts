import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Plan } from '../generated/prisma/client';
import { Clock, CLOCK } from '../platform/time/clock';
import { Database } from '../platform/database/database';
import { isUniqueViolation } from '../platform/database/database-errors';
import { PrismaService } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { cursorAfter, ListPage, toPage } from '../platform/http/pagination';
import { IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult, runIdempotent } from '../platform/idempotency/idempotent-transaction';
import { CreatePlanRequest, ListPlansQuery, PlanResponse, UpdatePlanRequest } from './dto/plan.dto';
import { toPlanResponse } from './plan.mapper';
import { findPlan, findPlanCursor, insertPlan, listPlans } from './plan.repository';

@Injectable()
export class PlansService {
  constructor(
    private readonly db: Database,
    private readonly prisma: PrismaService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async createPlan(
    request: CreatePlanRequest,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<PlanResponse>> {
    const now = this.clock.now();
    try {
      return await this.db.transaction((tx) =>
        runIdempotent(tx, idempotency, now, async () => {
          const plan = await insertPlan(tx, {
            id: randomUUID(),
            code: request.code,
            name: request.name,
            description: request.description ?? null,
            amount: request.amount,
            currency: request.currency,
            interval: request.interval,
            intervalCount: request.intervalCount ?? 1,
            active: true,
            createdAt: now,
          });
          return toPlanResponse(plan);
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'code')) {
        throw new DomainError('plan_code_taken', `A plan with code ${request.code} already exists.`);
      }
      throw error;
    }
  }

  async listPlans(query: ListPlansQuery): Promise<ListPage<PlanResponse>> {
    const cursor = await cursorAfter(query.startingAfter, (id) => findPlanCursor(this.db, id));
    const rows = await listPlans(this.db, { active: query.active }, cursor, query.limit + 1);
    return toPage(rows, query.limit, toPlanResponse);
  }

  async getPlan(id: string): Promise<PlanResponse> {
    return toPlanResponse(await this.findPlan(id));
  }

  /** Only descriptive fields change: prices are immutable so invoices always match their plan. */
  async updatePlan(id: string, request: UpdatePlanRequest): Promise<PlanResponse> {
    await this.findPlan(id);
    const plan = await this.prisma.plan.update({
      where: { id },
      data: { name: request.name, description: request.description, updatedAt: this.clock.now() },
    });
    return toPlanResponse(plan);
  }

  /** Archived plans stay on existing subscriptions but cannot be chosen for new ones. */
  async archivePlan(id: string): Promise<PlanResponse> {
    await this.findPlan(id);
    const plan = await this.prisma.plan.update({ where: { id }, data: { active: false, updatedAt: this.clock.now() } });
    return toPlanResponse(plan);
  }

  private async findPlan(id: string): Promise<Plan> {
    const plan = await findPlan(this.db, id);
    if (!plan) throw DomainError.notFound('Plan', id);
    return plan;
  }
}
