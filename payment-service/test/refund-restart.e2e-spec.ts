import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { testDatabase } from './support/db';
import { auth, eventually, startTestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

interface RefundRow {
  id: string;
  status: string;
  locked_until: Date | null;
  events: number;
}

describe('Refund processing survives restarts (e2e)', () => {
  let db: Pool;
  let receiver: WebhookReceiver;
  const paymentIds: string[] = [];
  // Long enough that a claimed refund is still waiting on the "card network" when the app closes.
  const env = () => ({ WEBHOOK_URL: receiver.url, SIMULATION_DELAY_MS: '400' });

  const ourRefunds = async () =>
    (
      await db.query<RefundRow>(
        `SELECT r.id, r.status, r.locked_until,
                (SELECT count(*)::int FROM events e WHERE e.payment_id = r.payment_id AND e.body::jsonb -> 'data' -> 'object' ->> 'id' = r.id::text) AS events
           FROM refunds r WHERE r.payment_id = ANY($1::uuid[])`,
        [paymentIds],
      )
    ).rows;

  /** A succeeded payment written directly (the payment worker is not under test here). */
  const insertSucceededPayment = async () => {
    const id = randomUUID();
    await db.query(
      `INSERT INTO payments (id, amount, currency, merchant_reference, customer_reference, payment_method, status, attempt_count, event_sequence,
                             processed_at, created_at, updated_at)
       VALUES ($1, 5000, 'USD', $2, $2, 'pm_card_visa', 'succeeded', 1, 1, now(), now(), now())`,
      [id, randomUUID()],
    );
    paymentIds.push(id);
    return id;
  };

  beforeAll(async () => {
    db = testDatabase();
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver.close();
    await db.end();
  });

  it('should leave every refund terminal with one event or pending and unclaimed at shutdown, and a new instance finishes them', async () => {
    const first = await startTestApp(env());
    let closed = false;
    try {
      const payments = await Promise.all(Array.from({ length: 20 }, insertSucceededPayment));
      await Promise.all(
        payments.map((id) =>
          request(first.getHttpServer())
            .post(`/v1/payments/${id}/refunds`)
            .set(auth)
            .send({ amount: 1000 })
            .expect(202),
        ),
      );
      // Mid-processing: the worker holds leases on some of them.
      await eventually(
        async () =>
          expect((await ourRefunds()).filter((refund) => refund.locked_until !== null).length).toBeGreaterThan(0),
        5_000,
      );

      await first.close();
      closed = true;
    } finally {
      if (!closed) await first.close();
    }

    const afterClose = await ourRefunds();
    expect(afterClose).toHaveLength(20);
    const unexpected = afterClose.filter(
      (refund) =>
        !(refund.status === 'succeeded' && refund.events === 1) &&
        !(refund.status === 'pending' && refund.locked_until === null && refund.events === 0),
    );
    expect(unexpected).toEqual([]);
    expect(afterClose.filter((refund) => refund.status === 'pending').length).toBeGreaterThan(0);

    const second = await startTestApp(env());
    try {
      const finished = await eventually(async () => {
        const refunds = await ourRefunds();
        expect(refunds.map((refund) => refund.status)).not.toContain('pending');
        return refunds;
      }, 10_000);
      expect(finished.map((refund) => refund.events)).toEqual(Array(20).fill(1));
      const ours = new Set(finished.map((refund) => refund.id));
      const delivered = () => receiver.received.filter((webhook) => ours.has(webhook.event.data.object.id));
      await eventually(() => expect(delivered()).toHaveLength(20));
      expect(new Set(delivered().map((webhook) => webhook.event.data.object.id)).size).toBe(20);
      // Each refund event continues its payment's sequence (the payment's own event was 1).
      expect(delivered().map((webhook) => [webhook.event.type, webhook.event.sequence])).toEqual(
        Array(20).fill(['refund.succeeded', 2]),
      );
    } finally {
      await second.close();
    }
  });

  it('should take over a refund whose worker died holding its lease once the lease has expired', async () => {
    const paymentId = await insertSucceededPayment();
    const refundId = randomUUID();
    const past = new Date(Date.now() - 60_000);
    // A worker claimed it and crashed (kill -9): its lease ran out a while ago, nothing was recorded.
    await db.query(
      `INSERT INTO refunds (id, payment_id, amount, currency, status, attempt_count, next_attempt_at, locked_until, request_id, created_at, updated_at)
       VALUES ($1, $2, 2500, 'USD', 'pending', 0, $3, $3, 'req-crashed-refund', $3, $3)`,
      [refundId, paymentId, past],
    );

    const app = await startTestApp(env());
    try {
      const settled = await eventually(async () => {
        const { body } = await request(app.getHttpServer()).get(`/v1/refunds/${refundId}`).set(auth).expect(200);
        expect(body.status).toBe('succeeded');
        return body;
      });
      expect(settled.attempts).toMatchObject([{ attemptNumber: 1, outcome: 'succeeded' }]);
      const [webhook] = await eventually(() => {
        const webhooks = receiver.forRefund(refundId);
        expect(webhooks).toHaveLength(1);
        return webhooks;
      });
      expect(webhook.headers['x-request-id']).toBe('req-crashed-refund');
    } finally {
      await app.close();
    }
  });
});
