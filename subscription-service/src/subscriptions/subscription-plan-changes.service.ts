import { Injectable } from '@nestjs/common';
import { InvoiceIssuer } from '../billing/invoice-issuer';
import { Principal } from '../platform/auth/principal';
import { Database, SqlTransaction } from '../platform/database/database';
import { IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult, runIdempotent } from '../platform/idempotency/idempotent-transaction';
import { withdrawScheduledChangeRefusal } from './domain/subscription-guards';
import { ChangePlanRequest } from './dto/change-plan.request';
import { ChangePlanResponse } from './dto/change-plan.response';
import { SubscriptionResponse } from './dto/subscription.response';
import { planChangeAt } from './plan-change-pricing';
import { PlanChange, toPlanChangeResult } from './subscription.mapper';
import { SubscriptionAccess, throwIfRefused } from './subscription-access';
import { updateSubscriptionVersioned } from './persistence/subscription.repository';

/** Plan changes: change the plan (now or at the period end) and withdraw a scheduled change. */
@Injectable()
export class SubscriptionPlanChangesService {
  constructor(
    private readonly db: Database,
    private readonly issuer: InvoiceIssuer,
    private readonly access: SubscriptionAccess,
  ) {}

  /**
   * Changes the plan when the caller asks (`effective`), by default upgrades now and downgrades at the period
   * end (quotePlanChange decides, also for the preview). Now: an invoice is issued and the plan switches when it
   * is paid (or at once when there is nothing to charge). At the period end: scheduled, nothing charged; the
   * renewal invoice bills the new plan. A change now whose credit would exceed its charge is scheduled for the
   * period end instead (no customer balance), and the response's `planChange` says so.
   */
  async changePlan(
    principal: Principal,
    id: string,
    request: ChangePlanRequest,
    requestId: string,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<ChangePlanResponse>> {
    return this.db.transaction((tx) =>
      runIdempotent(tx, idempotency, this.access.now(), async () => {
        const change = await this.applyPlanChange(tx, principal, id, request, requestId);
        return { ...(await this.access.view(tx, principal, id)), planChange: toPlanChangeResult(change) };
      }),
    );
  }

  /** The plan change inside changePlan's transaction: schedule it, switch at no charge, or issue its invoice. */
  private async applyPlanChange(
    tx: SqlTransaction,
    principal: Principal,
    id: string,
    request: ChangePlanRequest,
    requestId: string,
  ): Promise<PlanChange> {
    const change = await planChangeAt(this.access, tx, principal, id, request.planId, true, request.effective);
    const { subscription, current, target, quote, at } = change;
    if (quote.effective === 'period_end') {
      await updateSubscriptionVersioned(tx, subscription, { scheduledPlanId: target.id }, at.billing);
      return change;
    }
    if (quote.total <= 0) {
      // Nothing to charge (no time left, or a credit worth exactly the new price): switch right away. Another
      // interval starts a new period now, anchored at its start, as a paid proration invoice would (switchToPendingPlan).
      const period = quote.resetsPeriod
        ? {
            currentPeriodStart: quote.periodStart,
            currentPeriodEnd: quote.periodEnd,
            billingCycleAnchor: quote.periodStart,
          }
        : {};
      await updateSubscriptionVersioned(
        tx,
        subscription,
        { planId: target.id, scheduledPlanId: null, ...period },
        at.billing,
      );
      return change;
    }
    const invoice = await this.issuer.issue(
      tx,
      {
        subscriptionId: subscription.id,
        userId: subscription.userId,
        plan: target,
        kind: 'proration',
        amount: quote.total,
        periodStart: quote.periodStart,
        periodEnd: quote.periodEnd,
        description: `${quote.direction === 'upgrade' ? 'Upgrade' : 'Change'} from ${current.name} to ${target.name} (${quote.resetsPeriod ? 'new period' : 'prorated'})`,
        lines: quote.lines,
        paymentMethod: request.paymentMethod ?? subscription.paymentMethod,
        initiatedBy: 'customer',
      },
      requestId,
      at,
    );
    await updateSubscriptionVersioned(
      tx,
      subscription,
      { pendingPlanId: target.id, pendingInvoiceId: invoice.id, scheduledPlanId: null },
      at.billing,
    );
    return change;
  }

  /** Withdraws a scheduled downgrade before it takes effect; the current plan simply renews. */
  async withdrawScheduledChange(principal: Principal, id: string): Promise<SubscriptionResponse> {
    await this.db.transaction(async (tx) => {
      const subscription = await this.access.lockVisibleSubscription(tx, principal, id);
      throwIfRefused(withdrawScheduledChangeRefusal(subscription));
      await updateSubscriptionVersioned(
        tx,
        subscription,
        { scheduledPlanId: null },
        this.access.momentFor(subscription).billing,
      );
    });
    return this.access.view(this.db, principal, id);
  }
}
