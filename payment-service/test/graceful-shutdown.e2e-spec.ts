import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { testDatabase } from './support/db';
import { auth, eventually, startTestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

interface PaymentRow {
  id: string;
  status: string;
  locked_until: Date | null;
  events: number;
}

describe('Graceful shutdown releases claims (e2e)', () => {
  let db: Pool;
  let receiver: WebhookReceiver;
  const customerReference = randomUUID();
  // Long enough that a claimed payment is still waiting on the "card network" when the app closes.
  const env = () => ({ WEBHOOK_URL: receiver.url, SIMULATION_DELAY_MS: '400' });

  const createPayment = (app: NestFastifyApplication) =>
    request(app.getHttpServer())
      .post('/v1/payments')
      .set(auth)
      .send({
        amount: 1200,
        currency: 'USD',
        merchantReference: randomUUID(),
        customerReference,
        paymentMethod: 'pm_card_visa',
      })
      .expect(202);

  const ourPayments = async () =>
    (
      await db.query<PaymentRow>(
        `SELECT p.id, p.status, p.locked_until, (SELECT count(*)::int FROM events e WHERE e.payment_id = p.id) AS events
         FROM payments p WHERE p.customer_reference = $1`,
        [customerReference],
      )
    ).rows;

  beforeAll(async () => {
    db = testDatabase();
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver.close();
    await db.end();
  });

  it('should leave every payment terminal with one event or processing and unclaimed, and a new instance finishes them', async () => {
    const first = await startTestApp(env());
    let closed = false;
    try {
      await Promise.all(Array.from({ length: 3 }, () => createPayment(first)));
      await eventually(async () =>
        expect((await ourPayments()).map((payment) => payment.status)).not.toContain('processing'),
      );
      await Promise.all(Array.from({ length: 25 }, () => createPayment(first)));
      // Mid-processing: the worker holds leases on some of them.
      await eventually(
        async () =>
          expect((await ourPayments()).filter((payment) => payment.locked_until !== null).length).toBeGreaterThan(0),
        5_000,
      );

      await first.close();
      closed = true;
    } finally {
      if (!closed) {
        await first.close();
      }
    }

    const afterClose = await ourPayments();
    expect(afterClose).toHaveLength(28);
    // Each payment is in one of exactly two states: decided (one event) or released (no lease, no event).
    const unexpected = afterClose.filter(
      (payment) =>
        !(payment.status === 'succeeded' && payment.events === 1) &&
        !(payment.status === 'processing' && payment.locked_until === null && payment.events === 0),
    );
    expect(unexpected).toEqual([]);
    // The shutdown interrupted claimed work (otherwise this test proves nothing about releasing).
    expect(afterClose.filter((payment) => payment.status === 'processing').length).toBeGreaterThan(0);
    const lockedDeliveries = await db.query(
      `SELECT d.id FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN payments p ON p.id = e.payment_id
       WHERE p.customer_reference = $1 AND d.locked_until IS NOT NULL`,
      [customerReference],
    );
    expect(lockedDeliveries.rows).toEqual([]);

    // Released rows are claimable at once: well before the 30 s lease would have expired.
    const second = await startTestApp(env());
    try {
      const finished = await eventually(async () => {
        const payments = await ourPayments();
        expect(payments.map((payment) => payment.status)).not.toContain('processing');
        return payments;
      }, 10_000);
      expect(finished.map((payment) => payment.events)).toEqual(Array(28).fill(1));
      const ours = new Set(finished.map((payment) => payment.id));
      const delivered = () =>
        receiver.received
          .filter((webhook) => ours.has(webhook.event.data.object.id))
          .map((webhook) => webhook.event.data.object.id);
      await eventually(() => expect(delivered()).toHaveLength(28));
      expect(new Set(delivered()).size).toBe(28); // one webhook per payment
    } finally {
      await second.close();
    }
  });
});
