import { Injectable } from '@nestjs/common';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Database } from '../platform/database/database';
import { PrismaService } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { cursorAfter, ListPage, toPage } from '../platform/http/pagination';
import { ListSubscriptionsQuery } from './dto/list-subscriptions.query';
import { PlanChangePreviewResponse } from './dto/plan-change-preview.response';
import { PreviewPlanChangeQuery } from './dto/preview-plan-change.query';
import { StatusHistoryResponse } from './dto/status-history.response';
import { SubscriptionResponse } from './dto/subscription.response';
import { planChangeAt } from './plan-change-pricing';
import { toPlanChangePreview, toStatusChangeResponse, toSubscriptionResponse } from './subscription.mapper';
import { SubscriptionAccess } from './subscription-access';
import { findSubscriptionCursor, listSubscriptionViews } from './persistence/subscription.repository';

/** The read-only subscription operations: get, list, status history and the plan-change preview. Nothing is written. */
@Injectable()
export class SubscriptionQueriesService {
  constructor(
    private readonly db: Database,
    private readonly prisma: PrismaService,
    private readonly access: SubscriptionAccess,
  ) {}

  async listSubscriptions(
    principal: Principal,
    query: ListSubscriptionsQuery,
  ): Promise<ListPage<SubscriptionResponse>> {
    if (!isAdmin(principal) && query.userId && query.userId !== principal.userId) {
      throw new DomainError('forbidden', "Only admins may list other users' subscriptions.");
    }
    const userId = isAdmin(principal) ? query.userId : principal.userId;
    const cursor = await cursorAfter(query.startingAfter, (id) => findSubscriptionCursor(this.db, id, userId ?? null));
    const rows = await listSubscriptionViews(this.db, { userId, status: query.status }, cursor, query.limit + 1);
    const now = this.access.now();
    return toPage(rows, query.limit, (row) => toSubscriptionResponse(row, now, this.access.renewalGraceMs));
  }

  async getSubscription(principal: Principal, id: string): Promise<SubscriptionResponse> {
    return this.access.view(this.db, principal, id);
  }

  async getStatusHistory(principal: Principal, id: string): Promise<StatusHistoryResponse> {
    await this.access.findVisibleSubscription(this.db, principal, id);
    const changes = await this.prisma.subscriptionStatusChange.findMany({
      where: { subscriptionId: id },
      orderBy: [{ createdAt: 'asc' }, { sequence: 'asc' }],
    });
    return { object: 'list', data: changes.map(toStatusChangeResponse), hasMore: false, nextCursor: null };
  }

  /** What `changePlan` would bill or schedule now, with the same `effective`, computed by the same code (`planChangeAt`). */
  async previewPlanChange(
    principal: Principal,
    id: string,
    query: PreviewPlanChangeQuery,
  ): Promise<PlanChangePreviewResponse> {
    const change = await planChangeAt(this.access, this.db, principal, id, query.planId, false, query.effective);
    return toPlanChangePreview(change);
  }
}
