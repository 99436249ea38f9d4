import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
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
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import {
  CancelSubscriptionRequest,
  ChangePlanRequest,
  CreateSubscriptionRequest,
  ListSubscriptionsQuery,
  StatusHistoryResponse,
  SubscriptionListResponse,
  SubscriptionResponse,
} from './dto/subscription.dto';
import { SubscriptionsService } from './subscriptions.service';

@ApiTags('subscriptions')
@ApiBearerAuth('api-key')
@ProblemResponses()
@ApiNotFoundResponse({ type: ProblemDoc, description: 'not_found (also for other users\' subscriptions)' })
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

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
  ): Promise<SubscriptionResponse> {
    return this.subscriptions.subscribe(principal, body, requestId);
  }

  @Get()
  @ApiOperation({ summary: 'List subscriptions, newest first (own; admin all, filterable by userId and status).' })
  @ApiOkResponse({ type: SubscriptionListResponse })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListSubscriptionsQuery): Promise<ListPage<SubscriptionResponse>> {
    return this.subscriptions.listSubscriptions(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a subscription with access info and its latest invoice.' })
  @ApiOkResponse({ type: SubscriptionResponse })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<SubscriptionResponse> {
    return this.subscriptions.getSubscription(principal, id);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Status history, oldest first, with what caused each change (request id or webhook event id).' })
  @ApiOkResponse({ type: StatusHistoryResponse })
  history(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<StatusHistoryResponse> {
    return this.subscriptions.getStatusHistory(principal, id);
  }

  @Post(':id/change-plan')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Upgrade or downgrade',
    description:
      'Upgrade (higher price per unit of time): a proration invoice = new plan for the rest of the period − unused part ' +
      'of the old plan, to the second, each line rounded half-up to the minor unit. The plan switches when that invoice ' +
      'is paid (`pendingPlanId` meanwhile); a failed payment drops the change. Downgrade: `scheduledPlanId`, applied at ' +
      'period end, no charge. Only for active subscriptions; same currency and interval only.',
  })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'subscription_not_active, same_plan, plan_change_pending, plan_archived' })
  @ApiUnprocessableEntityResponse({ type: ProblemDoc, description: 'currency_mismatch, interval_change_not_supported' })
  changePlan(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ChangePlanRequest,
    @RequestId() requestId: string,
  ): Promise<SubscriptionResponse> {
    return this.subscriptions.changePlan(principal, id, body, requestId);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel',
    description:
      '`atPeriodEnd: true` (default): stays `active` with access until `currentPeriodEnd`, `cancelAtPeriodEnd: true`. ' +
      '`atPeriodEnd: false`: `canceled` now, open invoices voided, access ends.',
  })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'invalid_state_transition, subscription_not_active' })
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CancelSubscriptionRequest,
    @RequestId() requestId: string,
  ): Promise<SubscriptionResponse> {
    return this.subscriptions.cancel(principal, id, body, requestId);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Undo a pending cancel-at-period-end.' })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'no_pending_cancellation' })
  resume(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<SubscriptionResponse> {
    return this.subscriptions.resume(principal, id);
  }
}
