import { createPlan, createUser } from './support/factories';
import { FakePaymentGateway } from './support/fake-payment-gateway';
import { subscribe } from './support/flows';
import { createTestApp, resetDatabase, TestApp } from './support/test-app';
import { drainOutbox } from './support/outbox';

describe('graceful shutdown of the outbox worker (e2e)', () => {
  const gateway = new FakePaymentGateway([202]);
  let url: string;

  beforeAll(async () => {
    url = await gateway.start();
  });
  afterAll(() => gateway.stop());

  it('should finish the in-flight send, leave unclaimed rows untouched, and let a new instance send each exactly once', async () => {
    // Three due outbox rows, written by an instance without workers.
    const writer = await createTestApp({ PAYMENT_SERVICE_URL: url });
    await resetDatabase(writer.prisma);
    const plan = await createPlan(writer.prisma);
    const invoicePaymentIds: string[] = [];
    for (let i = 0; i < 3; i++)
      invoicePaymentIds.push(
        (await subscribe(writer, (await createUser(writer.prisma)).auth, plan.id)).invoicePaymentId,
      );
    await writer.close();

    // The gateway holds the first request until the app is closing.
    let arrived!: () => void;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    gateway.beforeAnswer = async () => {
      arrived();
      await gate;
    };
    // One send at a time: the worker claims only as many rows as it has free slots, so the other two stay unclaimed.
    const first: TestApp = await createTestApp({
      PAYMENT_SERVICE_URL: url,
      WORKERS_ENABLED: 'true',
      OUTBOX_POLL_INTERVAL_MS: '60000',
      OUTBOX_CONCURRENCY: '1',
    });
    await firstArrived;
    const claimed = await first.prisma.outboxMessage.findMany({ where: { aggregateId: { in: invoicePaymentIds } } });
    expect(claimed.filter((m) => m.lockedUntil !== null && m.attempts === 1)).toHaveLength(1);

    const closing = first.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await closing;
    gateway.beforeAnswer = null;

    const afterClose = await readRows(invoicePaymentIds);
    expect(gateway.requests).toHaveLength(1);
    const sentId = gateway.requests[0].body.metadata.invoicePaymentId as string;
    expect(afterClose.find((m) => m.aggregateId === sentId)).toMatchObject({
      status: 'sent',
      lockedUntil: null,
      attempts: 1,
    });
    const unsent = afterClose.filter((m) => m.aggregateId !== sentId);
    expect(unsent).toHaveLength(2);
    for (const row of unsent)
      expect(row).toMatchObject({ status: 'pending', lockedUntil: null, attempts: 0, lastError: null });

    // A new instance (same clock start: an unreleased lease would still hide the rows) sends the rest.
    const second = await createTestApp({ PAYMENT_SERVICE_URL: url });
    try {
      await drainOutbox(second.app);
      const sentTo = gateway.requests.map((r) => r.body.metadata.invoicePaymentId as string).sort();
      expect(sentTo).toEqual([...invoicePaymentIds].sort());
      expect(gateway.payments).toHaveLength(3);
      const rows = await second.prisma.outboxMessage.findMany({ where: { aggregateId: { in: invoicePaymentIds } } });
      expect(rows.map((m) => [m.status, m.attempts])).toEqual([
        ['sent', 1],
        ['sent', 1],
        ['sent', 1],
      ]);
    } finally {
      await second.close();
    }

    async function readRows(ids: string[]) {
      const reader = await createTestApp({ PAYMENT_SERVICE_URL: url });
      try {
        return await reader.prisma.outboxMessage.findMany({ where: { aggregateId: { in: ids } } });
      } finally {
        await reader.close();
      }
    }
  });
});
