import { ApiProperty } from '@nestjs/swagger';
import { PlanChangeResult } from './plan-change-result';
import { SubscriptionResponse } from './subscription.response';

/** `POST /v1/subscriptions/{id}/change-plan`: the subscription after the change, and what was done. */
export class ChangePlanResponse extends SubscriptionResponse {
  @ApiProperty({
    type: PlanChangeResult,
    description: 'When the change takes effect and why (the same as the preview answers).',
  })
  planChange!: PlanChangeResult;
}
