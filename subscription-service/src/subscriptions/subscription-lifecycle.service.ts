import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InvoiceIssuer, isPayNowRefusal } from '../billing/invoice-issuer';
import { endSubscription } from '../billing/subscription-transitions';
import { AppConfig } from '../config/app-config';
import { findInitialInvoice, findInvoice } from '../invoices/persistence/invoice.repository';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Database } from '../platform/database/database';
import { isForeignKeyViolation, isUniqueViolation } from '../platform/database/database-errors';
import { DomainError } from '../platform/errors/domain-error';
import { IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult, runIdempotent } from '../platform/idempotency/idempotent-transaction';
import { firstPeriod } from './domain/billing-period';
import {
  cancelAtPeriodEndRefusal,
  cancelRefusal,
  payInitialInvoiceRefusal,
  paymentMethodChangeRefusal,
  resumeRefusal,
} from './domain/subscription-guards';
import { CancelSubscriptionRequest } from './dto/cancel-subscription.request';
import { CreateSubscriptionRequest } from './dto/create-subscription.request';
import { PayInvoiceRequest } from './dto/pay-invoice.request';
import { SubscriptionResponse } from './dto/subscription.response';
import { UpdateSubscriptionRequest } from './dto/update-subscription.request';
import { toSubscriptionResponse } from './subscription.mapper';
import { findSubscribablePlan, SubscriptionAccess, throwIfRefused } from './subscription-access';
import { insertSubscription, updateSubscriptionVersioned } from './persistence/subscription.repository';

/** How long an unpaid new subscription stays incomplete before it expires (Stripe: 23 h). */
const INCOMPLETE_WINDOW_MS = 23 * 60 * 60 * 1000;

/** A subscription's lifecycle: subscribe, pay the initial invoice, cancel, resume, update the payment method. */
@Injectable()
export class SubscriptionLifecycleService {
  constructor(
    private readonly db: Database,
    private readonly issuer: InvoiceIssuer,
    private readonly config: AppConfig,
    private readonly access: SubscriptionAccess,
  ) {}

  /**
   * Creates an incomplete subscription with its initial invoice, pending payment, outbox message, first
   * history row and the Idempotency-Key's response in one transaction, and answers from the rows it wrote
   * (no re-read). "One live subscription per user" is enforced by the unique live_user_id column, not by a
   * read before the write; an unknown user is the foreign key's violation.
   */
  async subscribe(
    principal: Principal,
    request: CreateSubscriptionRequest,
    requestId: string,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<SubscriptionResponse>> {
    const userId = subscriberId(principal, request.userId);
    const now = this.access.now();
    try {
      return await this.db.transaction((tx) =>
        runIdempotent(tx, idempotency, now, async () => {
          const plan = await findSubscribablePlan(tx, request.planId);
          // The first period is anchored at the subscribe time (Stripe's default billing_cycle_anchor); every later one is computed from it.
          const period = firstPeriod(now, plan);
          const periodEnd = period.end;
          const subscription = await insertSubscription(
            tx,
            {
              id: randomUUID(),
              userId,
              planId: plan.id,
              status: 'incomplete',
              liveUserId: userId,
              paymentMethod: request.paymentMethod,
              currentPeriodStart: period.start,
              currentPeriodEnd: periodEnd,
              billingCycleAnchor: period.anchor,
              incompleteExpiresAt: new Date(now.getTime() + INCOMPLETE_WINDOW_MS),
              createdAt: now,
            },
            { reason: 'subscription_created', causeType: 'request', causeId: requestId },
          );
          const invoice = await this.issuer.issue(
            tx,
            {
              subscriptionId: subscription.id,
              userId,
              plan,
              kind: 'initial',
              amount: plan.amount,
              periodStart: now,
              periodEnd,
              description: `${plan.name} - initial invoice`,
              lines: [
                {
                  type: 'subscription',
                  description: plan.name,
                  planId: plan.id,
                  amount: plan.amount,
                  periodStart: now.toISOString(),
                  periodEnd: periodEnd.toISOString(),
                },
              ],
              paymentMethod: request.paymentMethod,
              initiatedBy: 'customer',
            },
            requestId,
            { billing: now, system: now },
          );
          return toSubscriptionResponse(
            { ...subscription, plan, invoices: [invoice] },
            now,
            this.access.renewalGraceMs,
          );
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'live_user_id')) {
        throw new DomainError(
          'subscription_exists',
          'The user already has a live subscription; change its plan or cancel it first.',
        );
      }
      if (isForeignKeyViolation(error, 'user_id')) throw DomainError.notFound('User', userId);
      throw error;
    }
  }

  /**
   * Changes the default payment method, used by every FUTURE charge of the subscription (renewal
   * invoices and dunning retries read `subscriptions.payment_method` when they are issued). A payment
   * already requested keeps its method. Ended subscriptions are not charged again, so they refuse it.
   *
   * A `past_due` subscription is retried at once (RETRY_ON_PAYMENT_METHOD_UPDATE,
   * default true): a `customer` payment attempt on its open renewal invoice with the new method, in the same
   * transaction, unless an attempt on that invoice is already in flight (then nothing more is charged; the
   * attempt in flight settles first). That attempt is not a dunning retry: its failure leaves the schedule alone.
   */
  async updateSubscription(
    principal: Principal,
    id: string,
    request: UpdateSubscriptionRequest,
    requestId: string,
  ): Promise<SubscriptionResponse> {
    return this.db.transaction(async (tx) => {
      const subscription = await this.access.lockVisibleSubscription(tx, principal, id);
      throwIfRefused(paymentMethodChangeRefusal(subscription));
      const at = this.access.momentFor(subscription);
      await updateSubscriptionVersioned(tx, subscription, { paymentMethod: request.paymentMethod }, at.billing);
      if (
        subscription.status === 'past_due' &&
        subscription.renewalInvoiceId &&
        this.config.billing.retryOnPaymentMethodUpdate
      ) {
        const invoice = await findInvoice(tx, subscription.renewalInvoiceId);
        if (!invoice) throw new Error(`renewal invoice ${subscription.renewalInvoiceId} not found`);
        // A refusal (an attempt already in flight) is not an error here: the method is updated all the same.
        await this.issuer.attemptCustomerPayment(tx, subscription, invoice, request.paymentMethod, requestId, at);
      }
      return this.access.view(tx, principal, id);
    });
  }

  /**
   * Pays an incomplete subscription's initial invoice again, e.g. with another payment method: a new
   * invoice payment and outbox message on the same invoice (reopened if its last attempt failed),
   * allowed until the incomplete window ends. The charge itself is the pay-now operation of
   * `POST /v1/invoices/{id}/pay` (InvoiceIssuer.attemptCustomerPayment); this route keeps its own
   * subscription-level errors and also makes the method the subscription's default.
   */
  async payInitialInvoice(
    principal: Principal,
    id: string,
    request: PayInvoiceRequest,
    requestId: string,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<SubscriptionResponse>> {
    return this.db.transaction((tx) =>
      runIdempotent(tx, idempotency, this.access.now(), async () => {
        const subscription = await this.access.lockVisibleSubscription(tx, principal, id);
        const at = this.access.momentFor(subscription);
        throwIfRefused(payInitialInvoiceRefusal(subscription, at.billing));
        const invoice = await findInitialInvoice(tx, id);
        if (!invoice) throw new Error(`initial invoice of subscription ${id} not found`);
        const attempt = await this.issuer.attemptCustomerPayment(
          tx,
          subscription,
          invoice,
          request.paymentMethod,
          requestId,
          at,
        );
        if (isPayNowRefusal(attempt)) throw new DomainError(attempt.code, attempt.detail);
        await updateSubscriptionVersioned(tx, subscription, { paymentMethod: request.paymentMethod }, at.billing);
        return this.access.view(tx, principal, id);
      }),
    );
  }

  /**
   * At period end: flag only (still active, keeps access; the billing worker cancels at the boundary).
   * Immediately: canceled now, access ends, open invoices void and their unsent charges canceled (endSubscription);
   * no refund and no credit for the unused time of a paid period. Money the gateway still captures for a voided
   * invoice is refunded automatically when its outcome arrives.
   */
  async cancel(
    principal: Principal,
    id: string,
    request: CancelSubscriptionRequest,
    requestId: string,
  ): Promise<SubscriptionResponse> {
    const atPeriodEnd = request.atPeriodEnd ?? true;
    await this.db.transaction(async (tx) => {
      const subscription = await this.access.lockVisibleSubscription(tx, principal, id);
      const at = this.access.momentFor(subscription);
      const now = at.billing;
      throwIfRefused(cancelRefusal(subscription));
      if (atPeriodEnd) {
        throwIfRefused(cancelAtPeriodEndRefusal(subscription));
        await updateSubscriptionVersioned(
          tx,
          subscription,
          { cancelAtPeriodEnd: true, canceledAt: now, cancellationReason: request.reason ?? null },
          now,
        );
        return;
      }
      await endSubscription(
        tx,
        subscription,
        {
          to: 'canceled',
          cause: { reason: 'canceled_by_request', causeType: 'request', causeId: requestId },
          endedAt: now,
          canceledAt: now,
          cancellationReason: request.reason ?? null,
        },
        now,
        at.system,
      );
    });
    return this.access.view(this.db, principal, id);
  }

  /** Undoes a cancel-at-period-end while the period is still running. */
  async resume(principal: Principal, id: string): Promise<SubscriptionResponse> {
    await this.db.transaction(async (tx) => {
      const subscription = await this.access.lockVisibleSubscription(tx, principal, id);
      throwIfRefused(resumeRefusal(subscription));
      await updateSubscriptionVersioned(
        tx,
        subscription,
        { cancelAtPeriodEnd: false, canceledAt: null, cancellationReason: null },
        this.access.momentFor(subscription).billing,
      );
    });
    return this.access.view(this.db, principal, id);
  }
}

function subscriberId(principal: Principal, requestedUserId: string | undefined): string {
  if (isAdmin(principal)) {
    if (!requestedUserId)
      throw DomainError.validation([{ field: 'userId', message: 'userId is required with an admin key' }]);
    return requestedUserId;
  }
  if (requestedUserId && requestedUserId !== principal.userId) {
    throw new DomainError('forbidden', 'A user key can only subscribe its own user.');
  }
  return principal.userId;
}
