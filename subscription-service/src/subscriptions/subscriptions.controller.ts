import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../platform/auth/auth.decorators';
import { Principal } from '../platform/auth/principal';
import { ListPage } from '../platform/http/pagination';
import { ProblemDoc, ProblemResponses } from '../platform/http/problem-responses';
import { RequestId } from '../platform/http/request-id';
import { Idempotency, IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult } from '../platform/idempotency/idempotent-transaction';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { AdvanceTestClockRequest } from './dto/advance-test-clock.request';
import { CancelSubscriptionRequest } from './dto/cancel-subscription.request';
import { ChangePlanRequest } from './dto/change-plan.request';
import { ChangePlanResponse } from './dto/change-plan.response';
import { CreateSubscriptionRequest } from './dto/create-subscription.request';
import { ListSubscriptionsQuery } from './dto/list-subscriptions.query';
import { PayInvoiceRequest } from './dto/pay-invoice.request';
import { PlanChangePreviewResponse } from './dto/plan-change-preview.response';
import { PreviewPlanChangeQuery } from './dto/preview-plan-change.query';
import { StatusHistoryResponse } from './dto/status-history.response';
import { SubscriptionListResponse } from './dto/subscription-list.response';
import { SubscriptionResponse } from './dto/subscription.response';
import { UpdateSubscriptionRequest } from './dto/update-subscription.request';
import { SEED_IDS } from '../seed-ids';
import { SubscriptionLifecycleService } from './subscription-lifecycle.service';
import { SubscriptionPlanChangesService } from './subscription-plan-changes.service';
import { SubscriptionQueriesService } from './subscription-queries.service';
import { SubscriptionTestClockService } from './subscription-test-clock.service';

@ApiTags('subscriptions')
@ApiBearerAuth('api-key')
@ProblemResponses()
@ApiNotFoundResponse({ type: ProblemDoc, description: "not_found (also for other users' subscriptions)" })
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly queries: SubscriptionQueriesService,
    private readonly lifecycle: SubscriptionLifecycleService,
    private readonly planChanges: SubscriptionPlanChangesService,
    private readonly testClock: SubscriptionTestClockService,
  ) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Subscribe a user to a plan',
    description:
      'Creates an `incomplete` subscription and its open initial invoice, and asks the payment service to charge it. ' +
      'The subscription becomes `active` when the payment.succeeded webhook arrives; on payment.failed it stays ' +
      '`incomplete` (no access). Admin keys must pass `userId`.',
  })
  @ApiCreatedResponse({ type: SubscriptionResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'subscription_exists, plan_archived' })
  subscribe(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateSubscriptionRequest,
    @RequestId() requestId: string,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<IdempotentResult<SubscriptionResponse>> {
    return this.lifecycle.subscribe(principal, body, requestId, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List subscriptions, newest first (own; admin all, filterable by userId and status).' })
  @ApiOkResponse({ type: SubscriptionListResponse })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSubscriptionsQuery,
  ): Promise<ListPage<SubscriptionResponse>> {
    return this.queries.listSubscriptions(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a subscription with access info and its latest invoice.' })
  @ApiOkResponse({ type: SubscriptionResponse })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<SubscriptionResponse> {
    return this.queries.getSubscription(principal, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update the default payment method',
    description:
      'Sets the payment method used for future charges: the next renewal invoice and every dunning retry. For a `past_due` ' +
      'subscription it also retries the open renewal invoice **at once** with the new method (a `customer` attempt, as ' +
      '`POST /v1/invoices/{id}/pay`; `RETRY_ON_PAYMENT_METHOD_UPDATE=false` turns this off), unless an attempt on it is ' +
      'already in flight: e.g. after `pm_card_declined`, switch to a working card and the renewal is charged right away. ' +
      'That attempt is not a dunning retry: if it fails the schedule (`nextPaymentRetryAt`) is unchanged. A payment attempt ' +
      'already requested keeps the method it was requested with. Allowed while `incomplete`, `active` or ' +
      '`past_due`; an ended subscription (`canceled`, `incomplete_expired`) answers 409 `subscription_ended`. Only ' +
      '`paymentMethod` may be sent; any other field is rejected (400). Users may update their own subscriptions, admins any.',
  })
  @ApiBody({
    type: UpdateSubscriptionRequest,
    examples: { 'switch to a working card': { value: { paymentMethod: 'pm_card_visa' } } },
  })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiBadRequestResponse({
    type: ProblemDoc,
    description: 'validation_failed (paymentMethod missing or malformed, or an unknown field)',
  })
  @ApiConflictResponse({
    type: ProblemDoc,
    description: 'subscription_ended (canceled or incomplete_expired), conflict (modified concurrently; retry)',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateSubscriptionRequest,
    @RequestId() requestId: string,
  ): Promise<SubscriptionResponse> {
    return this.lifecycle.updateSubscription(principal, id, body, requestId);
  }

  @Get(':id/history')
  @ApiOperation({
    summary: 'Status history, oldest first, with what caused each change (request id or webhook event id).',
    description:
      'Returns the WHOLE history in one response, oldest first: this list is deliberately **not paginated** (no `limit` / ' +
      '`startingAfter`; `hasMore` is always false and `nextCursor` null). Why: a subscription changes status only a bounded, ' +
      'small number of times — creation, activation, at most two per billing period (past_due and back when a renewal ' +
      'fails) and one final end — so the whole list is a few rows and one response always fits; reading it whole in ' +
      'chronological order is also what an audit needs. The list envelope is kept so a cursor could be added later ' +
      'without breaking clients.',
  })
  @ApiOkResponse({ type: StatusHistoryResponse })
  history(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<StatusHistoryResponse> {
    return this.queries.getStatusHistory(principal, id);
  }

  @Get(':id/change-plan/preview')
  @ApiOperation({
    summary: 'Preview a plan change',
    description:
      'Answers exactly what `POST /v1/subscriptions/{id}/change-plan` with the same `planId` and `effective` would do now (same ' +
      'function): when it takes effect (`effective`, `effectiveAt`, `reason`), the itemised lines, total, currency and the period ' +
      'they cover. `effective=now` whose credit would exceed its charge answers `effective: "period_end"`, `reason: ' +
      '"credit_exceeds_charge"`, as the change would schedule it (there is no customer balance). Nothing is written.',
  })
  @ApiOkResponse({ type: PlanChangePreviewResponse })
  @ApiConflictResponse({
    type: ProblemDoc,
    description: 'subscription_not_active, same_plan, plan_change_pending, renewal_in_progress, plan_archived',
  })
  @ApiUnprocessableEntityResponse({ type: ProblemDoc, description: 'currency_mismatch' })
  previewPlanChange(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: PreviewPlanChangeQuery,
  ): Promise<PlanChangePreviewResponse> {
    return this.queries.previewPlanChange(principal, id, query);
  }

  @Post(':id/change-plan')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Upgrade or downgrade, now or at the period end',
    description:
      'Upgrade or downgrade is decided by price per unit of time (any interval). **When** (`effective`): by default an upgrade ' +
      'applies now and a downgrade at the period end; the caller may ask for either. **Now, same interval**: a proration ' +
      'invoice = new plan for the rest of the period − unused part of the old plan, to the second, each line rounded half-up ' +
      'to the minor unit. **Now, another interval** (e.g. month → year): credit the unused part of the old plan, charge the ' +
      "new plan's full price; once paid a new period starts at the change (now … now + new interval). The plan switches when " +
      'that invoice is paid (`pendingPlanId` meanwhile; at once when it totals 0); a failed payment drops the change and the ' +
      'old plan continues. **At the period end**: `scheduledPlanId`, no charge now; the renewal invoice bills the new plan and ' +
      'the next period uses its interval. **No customer balance**: a change asked for now whose credit would exceed its charge ' +
      '(an immediate downgrade on the same interval, or e.g. pro-yearly → pro-monthly for most of the year) is scheduled for ' +
      'the period end instead of refused; `planChange` in the response says so (`effective: "period_end"`, `effectiveAt`, ' +
      '`reason: "credit_exceeds_charge"`), as the preview does. Only for active subscriptions, same currency.',
  })
  @ApiBody({
    type: ChangePlanRequest,
    examples: {
      'default timing': { value: { planId: SEED_IDS.plans.proMonthly } },
      'upgrade at the period end': { value: { planId: SEED_IDS.plans.businessMonthly, effective: 'period_end' } },
    },
  })
  @ApiOkResponse({ type: ChangePlanResponse })
  @ApiConflictResponse({
    type: ProblemDoc,
    description: 'subscription_not_active, same_plan, plan_change_pending, renewal_in_progress, plan_archived',
  })
  @ApiUnprocessableEntityResponse({ type: ProblemDoc, description: 'currency_mismatch' })
  changePlan(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ChangePlanRequest,
    @RequestId() requestId: string,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<IdempotentResult<ChangePlanResponse>> {
    return this.planChanges.changePlan(principal, id, body, requestId, idempotency);
  }

  @Delete(':id/scheduled-change')
  @ApiOperation({
    summary: 'Withdraw a scheduled downgrade',
    description:
      'Clears `scheduledPlanId` before it takes effect at the period end; the current plan renews as before.',
  })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'no_scheduled_change' })
  withdrawScheduledChange(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscriptionResponse> {
    return this.planChanges.withdrawScheduledChange(principal, id);
  }

  @Post(':id/pay')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Pay an incomplete subscription again',
    description:
      'After the initial payment failed, charges the initial invoice again (a new invoice payment through the outbox), ' +
      'e.g. with another method, until `incompleteExpiresAt` (23 h after subscribing). The subscription becomes `active` ' +
      'when the payment.succeeded webhook arrives. After the window the billing worker moves it to `incomplete_expired`.',
  })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiConflictResponse({
    type: ProblemDoc,
    description: 'subscription_not_incomplete, incomplete_window_ended, payment_in_progress',
  })
  pay(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: PayInvoiceRequest,
    @RequestId() requestId: string,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<IdempotentResult<SubscriptionResponse>> {
    return this.lifecycle.payInitialInvoice(principal, id, body, requestId, idempotency);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel',
    description:
      '`atPeriodEnd: true` (default): stays `active` with access until `currentPeriodEnd`, `cancelAtPeriodEnd: true`; ' +
      'the billing worker cancels it at the boundary (history reason `canceled_at_period_end`). `atPeriodEnd: false`: ' +
      '`canceled` now, access ends now, open invoices voided. **Refund policy: no refund and no credit** for the unused ' +
      'part of a paid period, whichever way it is canceled.',
  })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiConflictResponse({
    type: ProblemDoc,
    description: 'invalid_state_transition, subscription_not_active, renewal_in_progress',
  })
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CancelSubscriptionRequest,
    @RequestId() requestId: string,
  ): Promise<SubscriptionResponse> {
    return this.lifecycle.cancel(principal, id, body, requestId);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Undo a pending cancel-at-period-end.' })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'no_pending_cancellation' })
  resume(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscriptionResponse> {
    return this.lifecycle.resume(principal, id);
  }

  @Post(':id/test-clock/advance')
  @HttpCode(200)
  @ApiTags('test clock')
  @ApiOperation({
    summary: "Advance this subscription's test clock (admin; only with TEST_CLOCK_ENABLED=true, else 404)",
    description:
      "Moves the subscription's billing time forward (a per-subscription offset added to the real clock), then runs the " +
      'billing work that became due for it before answering: a renewal invoice at period end, a due dunning retry, the ' +
      'cancellation of a cancel-at-period-end subscription, or the expiry of an unpaid incomplete one. Payments still go ' +
      'through the outbox and webhooks, so a renewal\'s outcome follows a moment later. Example: `{"seconds": 2678400}` (31 days).',
  })
  @ApiBody({
    type: AdvanceTestClockRequest,
    examples: {
      'one period (31 days)': { value: { seconds: 2_678_400 } },
      'to an instant': { value: { to: '2030-01-01T00:00:00.000Z' } },
    },
  })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiBadRequestResponse({
    type: ProblemDoc,
    description: 'validation_failed (give exactly one of seconds or to; to must be in the future)',
  })
  @ApiForbiddenResponse({ type: ProblemDoc, description: 'forbidden (user keys)' })
  advanceTestClock(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AdvanceTestClockRequest,
  ): Promise<SubscriptionResponse> {
    return this.testClock.advanceTestClock(principal, id, body);
  }
}
