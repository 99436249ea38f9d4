import 'reflect-metadata';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { describeApiKey } from './platform/auth/api-key';
import { DEMO_KEYS, SEED_IDS } from './seed-ids';
import { firstPeriod } from './subscriptions/domain/billing-period';

const PLANS = [
  {
    id: SEED_IDS.plans.starterMonthly,
    code: 'starter-monthly',
    name: 'Starter',
    description: 'For individuals',
    amount: 900,
    interval: 'month' as const,
  },
  {
    id: SEED_IDS.plans.proMonthly,
    code: 'pro-monthly',
    name: 'Pro',
    description: 'For growing teams',
    amount: 2900,
    interval: 'month' as const,
  },
  {
    id: SEED_IDS.plans.businessMonthly,
    code: 'business-monthly',
    name: 'Business',
    description: 'For organisations',
    amount: 9900,
    interval: 'month' as const,
  },
  {
    id: SEED_IDS.plans.proYearly,
    code: 'pro-yearly',
    name: 'Pro (yearly)',
    description: 'Pro, billed yearly',
    amount: 29000,
    interval: 'year' as const,
  },
];

/**
 * Inserts the demo rows with fixed ids; every insert is ON CONFLICT DO NOTHING, so running the seed
 * again (or after the rows were changed through the API) changes nothing.
 */
export async function seedDatabase(prisma: PrismaClient, now: Date): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.plan.createMany({
      data: PLANS.map((plan) => ({
        ...plan,
        currency: 'USD',
        intervalCount: 1,
        active: true,
        createdAt: now,
        updatedAt: now,
      })),
      skipDuplicates: true,
    });
    await tx.user.createMany({
      data: [
        { id: SEED_IDS.users.alice, email: 'alice@example.com', name: 'Alice Example' },
        { id: SEED_IDS.users.bob, email: 'bob@example.com', name: 'Bob Example' },
      ].map((user) => ({ ...user, createdAt: now, updatedAt: now })),
      skipDuplicates: true,
    });
    // A demo key that already exists (same id, or the same hash moved over by the api_keys migration) is kept as
    // it is, revoked or not.
    await tx.apiKey.createMany({
      data: [
        { id: SEED_IDS.apiKeys.alice, userId: SEED_IDS.users.alice, key: DEMO_KEYS.alice },
        { id: SEED_IDS.apiKeys.bob, userId: SEED_IDS.users.bob, key: DEMO_KEYS.bob },
      ].map(({ key, ...apiKey }) => {
        const { hash, prefix, last4 } = describeApiKey(key);
        return { ...apiKey, keyHash: hash, prefix, last4, createdAt: now };
      }),
      skipDuplicates: true,
    });

    // Bob: an active Starter subscription whose initial invoice is paid.
    const starter = PLANS[0];
    const periodEnd = firstPeriod(now, { interval: starter.interval, intervalCount: 1 }).end;
    const { count } = await tx.subscription.createMany({
      data: {
        id: SEED_IDS.bobSubscription,
        userId: SEED_IDS.users.bob,
        planId: starter.id,
        status: 'active',
        liveUserId: SEED_IDS.users.bob,
        paymentMethod: 'pm_card_visa',
        currentPeriodStart: now,
        currentPeriodEnd: periodEnd,
        billingCycleAnchor: now,
        createdAt: now,
        updatedAt: now,
      },
      skipDuplicates: true,
    });
    if (count === 0) return;
    await tx.invoice.create({
      data: {
        id: SEED_IDS.bobInitialInvoice,
        subscriptionId: SEED_IDS.bobSubscription,
        userId: SEED_IDS.users.bob,
        planId: starter.id,
        kind: 'initial',
        status: 'paid',
        amount: starter.amount,
        currency: 'USD',
        periodStart: now,
        periodEnd,
        description: `${starter.name} - initial invoice`,
        lines: [
          {
            type: 'subscription',
            description: starter.name,
            planId: starter.id,
            amount: starter.amount,
            periodStart: now.toISOString(),
            periodEnd: periodEnd.toISOString(),
          },
        ],
        paidAt: now,
        createdAt: now,
        updatedAt: now,
        payments: {
          create: {
            id: SEED_IDS.bobInitialInvoicePayment,
            paymentMethod: 'pm_card_visa',
            status: 'succeeded',
            requestId: 'seed',
            createdAt: now,
            updatedAt: now,
          },
        },
      },
    });
    await tx.subscriptionStatusChange.createMany({
      data: [
        {
          subscriptionId: SEED_IDS.bobSubscription,
          fromStatus: null,
          toStatus: 'incomplete',
          reason: 'subscription_created',
          causeType: 'system',
          causeId: 'seed',
          createdAt: now,
        },
        {
          subscriptionId: SEED_IDS.bobSubscription,
          fromStatus: 'incomplete',
          toStatus: 'active',
          reason: 'initial_payment_succeeded',
          causeType: 'system',
          causeId: 'seed',
          createdAt: now,
        },
      ],
    });
  });
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('seed: DATABASE_URL is required');
    process.exit(1);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  try {
    await seedDatabase(prisma, new Date());
  } finally {
    await prisma.$disconnect();
  }
  console.log('seed: demo data is in place');
  console.log(`  admin key  ${DEMO_KEYS.admin}  (must be listed in ADMIN_API_KEYS)`);
  console.log(`  alice      ${DEMO_KEYS.alice}  user ${SEED_IDS.users.alice}`);
  console.log(
    `  bob        ${DEMO_KEYS.bob}  user ${SEED_IDS.users.bob}, active subscription ${SEED_IDS.bobSubscription}`,
  );
  console.log(
    `  plans      starter-monthly ${SEED_IDS.plans.starterMonthly}, pro-monthly ${SEED_IDS.plans.proMonthly},`,
  );
  console.log(
    `             business-monthly ${SEED_IDS.plans.businessMonthly}, pro-yearly ${SEED_IDS.plans.proYearly}`,
  );
}

if (require.main === module) {
  void main();
}
