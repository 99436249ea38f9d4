import { randomUUID } from 'node:crypto';
import { Plan, User } from '../../src/generated/prisma/client';
import { describeApiKey } from '../../src/platform/auth/api-key';
import { PrismaService } from '../../src/platform/database/prisma.service';

export interface TestUser {
  readonly user: User;
  readonly apiKey: string;
  readonly auth: { Authorization: string };
}

export async function createUser(prisma: PrismaService, name = 'user'): Promise<TestUser> {
  const suffix = randomUUID().slice(0, 8);
  const apiKey = `sk_test_${name}_${suffix}`;
  const { hash, prefix, last4 } = describeApiKey(apiKey);
  const user = await prisma.user.create({
    data: {
      email: `${name}-${suffix}@example.com`,
      name,
      apiKeys: { create: { keyHash: hash, prefix, last4 } },
    },
  });
  return { user, apiKey, auth: { Authorization: `Bearer ${apiKey}` } };
}

export async function createPlan(
  prisma: PrismaService,
  overrides: Partial<Pick<Plan, 'amount' | 'currency' | 'interval' | 'intervalCount' | 'active' | 'name'>> = {},
): Promise<Plan> {
  const code = `plan-${randomUUID().slice(0, 8)}`;
  return prisma.plan.create({
    data: {
      code,
      name: overrides.name ?? code,
      amount: 1000,
      currency: 'USD',
      interval: 'month',
      intervalCount: 1,
      active: true,
      ...overrides,
    },
  });
}
