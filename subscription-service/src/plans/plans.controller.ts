import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../platform/auth/auth.decorators';
import { ListPage } from '../platform/http/pagination';
import { ProblemDoc, ProblemResponses } from '../platform/http/problem-responses';
import { Idempotency, IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult } from '../platform/idempotency/idempotent-transaction';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { CreatePlanRequest, ListPlansQuery, PlanListResponse, PlanResponse, UpdatePlanRequest } from './dto/plan.dto';
import { PlansService } from './plans.service';

@ApiTags('plans')
@ApiBearerAuth('api-key')
@ProblemResponses()
@Controller('v1/plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Get()
  @ApiOperation({ summary: 'List plans, newest first (any authenticated caller).' })
  @ApiOkResponse({ type: PlanListResponse })
  list(@Query() query: ListPlansQuery): Promise<ListPage<PlanResponse>> {
    return this.plans.listPlans(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a plan.' })
  @ApiOkResponse({ type: PlanResponse })
  @ApiNotFoundResponse({ type: ProblemDoc, description: 'not_found' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<PlanResponse> {
    return this.plans.getPlan(id);
  }

  @Post()
  @AdminOnly()
  @Idempotent()
  @ApiOperation({
    summary:
      'Create a plan (admin). Prices are immutable: to change a price, create a new plan and archive the old one.',
  })
  @ApiCreatedResponse({ type: PlanResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'plan_code_taken' })
  create(
    @Body() body: CreatePlanRequest,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<IdempotentResult<PlanResponse>> {
    return this.plans.createPlan(body, idempotency);
  }

  @Patch(':id')
  @AdminOnly()
  @ApiOperation({
    summary:
      'Rename or re-describe a plan (admin). Price, currency and interval cannot change; create a new plan instead.',
  })
  @ApiOkResponse({ type: PlanResponse })
  @ApiNotFoundResponse({ type: ProblemDoc, description: 'not_found' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdatePlanRequest): Promise<PlanResponse> {
    return this.plans.updatePlan(id, body);
  }

  @Post(':id/archive')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Archive a plan (admin): existing subscriptions keep it, new subscriptions cannot choose it.',
  })
  @ApiOkResponse({ type: PlanResponse })
  @ApiNotFoundResponse({ type: ProblemDoc, description: 'not_found' })
  archive(@Param('id', ParseUUIDPipe) id: string): Promise<PlanResponse> {
    return this.plans.archivePlan(id);
  }
}
