import { Plan } from '../generated/prisma/client';
import { PlanResponse } from './dto/plan.dto';

export function toPlanResponse(plan: Plan): PlanResponse {
  return {
    id: plan.id,
    object: 'plan',
    code: plan.code,
    name: plan.name,
    description: plan.description,
    amount: plan.amount,
    currency: plan.currency,
    interval: plan.interval,
    intervalCount: plan.intervalCount,
    active: plan.active,
    createdAt: plan.createdAt.toISOString(),
    updatedAt: plan.updatedAt.toISOString(),
  };
}
