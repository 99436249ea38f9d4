import { randomUUID } from 'node:crypto';
import {
  Invoice,
  InvoiceKind,
  InvoicePayment,
  Plan,
  Subscription,
  SubscriptionStatus,
} from '../../src/generated/prisma/client';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { Database } from '../../src/platform/database/database';
import { PrismaService } from '../../src/platform/database/prisma.service';
import { createPlan, createUser } from '../support/factories';
import { e2eDatabaseUrl, resetDatabase } from '../support/test-app';

/**
 * The "medium" tier (immich's test/medium): the billing core's functions driven directly against the real,
 * migrated PostgreSQL (the e2e database), with no Nest application and no HTTP. Rows are written as the
 * services would leave them, so each test starts from the state it is about.
 */
export interface BillingCore {
  readonly config: AppConfig;
  readonly db: Database;
  readonly prisma: PrismaService;
  close(): Promise<void>;
}

export async function openBillingCore(): Promise<BillingCore> {
  const config = new AppConfig(
    validateEnvironment({
      DATABASE_URL: e2eDatabaseUrl(),
      ADMIN_API_KEYS: 'sk_admin_medium_0001',
      PAYMENT_SERVICE_URL: 'http://127.0.0.1:9',
      PAYMENT_SERVICE_API_KEY: 'sk_payment_medium',
      PAYMENT_WEBHOOK_SECRETS: 'whsec_' + Buffer.from('medium_tier_secret_0001').toString('base64'),
      WORKERS_ENABLED: 'false',
    }),
  );
  const db = new Database(config);
  const prisma = new PrismaService(db);
  await resetDatabase(prisma);
  return {
    config,
    db,
    prisma,
    close: async () => {
      await prisma.$disconnect();
      await db.onApplicationShutdown();
    },
  };
}

export interface Scenario {
  readonly plan: Plan;
  readonly subscription: Subscription;
  readonly invoice: Invoice;
  readonly payment: InvoicePayment;
}

/**
 * A subscription in `status` on a monthly 2900 USD plan whose current period is [periodStart, +1 month), with
 * one `kind` invoice (open, for that plan's amount) and one invoice payment on it (`paymentStatus`) whose
 * `payment.initiate` outbox message is pending; a renewal invoice covers the next period and is the
 * subscription's renewal invoice.
 */
export async function scenario(
  core: BillingCore,
  options: {
    status: SubscriptionStatus;
    kind: InvoiceKind;
    periodStart: Date;
    paymentStatus?: InvoicePayment['status'];
    gatewayPaymentId?: string | null;
  },
): Promise<Scenario> {
  const plan = await createPlan(core.prisma, { amount: 2900, name: 'Pro' });
  const { user } = await createUser(core.prisma, 'medium');
  const periodEnd = new Date(options.periodStart);
  periodEnd.setUTCMonth(periodEnd.getUTCMonth() + 1);
  const nextEnd = new Date(periodEnd);
  nextEnd.setUTCMonth(nextEnd.getUTCMonth() + 1);
  const live = options.status === 'incomplete' || options.status === 'active' || options.status === 'past_due';
  const subscription = await core.prisma.subscription.create({
    data: {
      userId: user.id,
      planId: plan.id,
      status: options.status,
      liveUserId: live ? user.id : null,
      paymentMethod: 'pm_card_visa',
      currentPeriodStart: options.periodStart,
      currentPeriodEnd: periodEnd,
      billingCycleAnchor: options.periodStart,
      incompleteExpiresAt:
        options.status === 'incomplete' ? new Date(options.periodStart.getTime() + 23 * 3600_000) : null,
      createdAt: options.periodStart,
    },
  });
  const renewal = options.kind === 'renewal';
  const invoice = await core.prisma.invoice.create({
    data: {
      subscriptionId: subscription.id,
      userId: user.id,
      planId: plan.id,
      kind: options.kind,
      status: 'open',
      amount: plan.amount,
      currency: plan.currency,
      periodStart: renewal ? periodEnd : options.periodStart,
      periodEnd: renewal ? nextEnd : periodEnd,
      description: `${plan.name} - ${options.kind}`,
      lines: [],
      renewalKey: renewal ? `${subscription.id}/${periodEnd.toISOString()}` : null,
      createdAt: options.periodStart,
    },
  });
  const updated = renewal
    ? await core.prisma.subscription.update({ where: { id: subscription.id }, data: { renewalInvoiceId: invoice.id } })
    : subscription;
  const payment = await core.prisma.invoicePayment.create({
    data: {
      invoiceId: invoice.id,
      paymentMethod: 'pm_card_visa',
      status: options.paymentStatus ?? 'processing',
      gatewayPaymentId: options.gatewayPaymentId ?? null,
    },
  });
  await core.prisma.outboxMessage.create({
    data: {
      id: randomUUID(),
      topic: 'payment.initiate',
      aggregateId: payment.id,
      payload: {},
      status: options.paymentStatus === 'pending' ? 'pending' : 'sent',
    },
  });
  return { plan, subscription: updated, invoice, payment };
}
