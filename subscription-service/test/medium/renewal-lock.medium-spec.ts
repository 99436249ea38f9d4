import { Client } from 'pg';
import { BillingRunService } from '../../src/billing/billing-run.service';
import { InvoiceIssuer } from '../../src/billing/invoice-issuer';
import { WorkSignal } from '../../src/platform/workers/work-signal';
import { e2eDatabaseUrl } from '../support/test-app';
import { BillingCore, openBillingCore, scenario } from './billing-core';

const PERIOD_START = new Date('2026-03-01T00:00:00.000Z');
const AFTER_PERIOD_END = new Date('2026-04-01T00:00:01.000Z');

describe('renewal while another transaction holds the subscription row (medium)', () => {
  let core: BillingCore;
  let billing: BillingRunService;

  beforeAll(async () => {
    core = await openBillingCore();
    billing = new BillingRunService(core.db, new InvoiceIssuer(new WorkSignal()), core.config, {
      now: () => AFTER_PERIOD_END,
    });
  });
  afterAll(() => core.close());

  it('should skip a subscription locked elsewhere for the pass, then renew it exactly once when the lock is gone', async () => {
    const { subscription } = await scenario(core, { status: 'active', kind: 'initial', periodStart: PERIOD_START });
    await core.prisma.invoice.updateMany({ where: { subscriptionId: subscription.id }, data: { status: 'paid' } });
    const renewals = () =>
      core.prisma.invoice.findMany({
        where: { subscriptionId: subscription.id, kind: 'renewal' },
        include: { payments: true },
      });

    const holder = new Client({ connectionString: e2eDatabaseUrl() });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE', [subscription.id]);
      expect(await billing.runDue()).toBe(0);
      expect(await renewals()).toEqual([]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }

    expect(await billing.runDue()).toBe(1);
    expect(await billing.runDue()).toBe(0);
    const [renewal, ...others] = await renewals();
    expect(others).toEqual([]);
    expect(renewal).toMatchObject({
      status: 'open',
      amount: 2900,
      periodStart: new Date('2026-04-01T00:00:00.000Z'),
      payments: [expect.objectContaining({ status: 'pending' })],
    });
    expect(
      await core.prisma.outboxMessage.count({
        where: { aggregateId: renewal.payments[0].id, topic: 'payment.initiate' },
      }),
    ).toBe(1);
    expect(await core.prisma.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).toMatchObject({
      renewalInvoiceId: renewal.id,
      status: 'active',
    });
  });
});
