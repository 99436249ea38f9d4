import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createPlan, createUser } from './support/factories';
import { activeSubscription } from './support/flows';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';

/** Cursor semantics shared with payment-service: a `startingAfter` that is not an item of the list is a 400. */
describe('pagination cursors (e2e)', () => {
  let t: TestApp;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  beforeAll(async () => {
    t = await createTestApp();
    await resetDatabase(t.prisma);
  });
  afterAll(() => t.close());

  const expectInvalidCursor = (res: request.Response, cursor: string) => {
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      type: 'https://errors.billing.example/invalid_cursor',
      title: 'Bad request',
      status: 400,
      code: 'invalid_cursor',
    });
    expect(res.body.detail).toContain(cursor);
  };

  it.each(['/v1/plans', '/v1/users', '/v1/subscriptions', '/v1/invoices', '/v1/payment-anomalies'])(
    'should answer %s?startingAfter=<unknown uuid> with 400 invalid_cursor, never a first or empty page',
    async (route) => {
      const cursor = randomUUID();
      const res = await request(t.server).get(route).query({ startingAfter: cursor }).set(admin).expect(400);
      expectInvalidCursor(res, cursor);
    },
  );

  it("should answer a cursor that is another user's item with 400 invalid_cursor, like an unknown one", async () => {
    const plan = await createPlan(t.prisma);
    const owner = await createUser(t.prisma, 'owner');
    const other = await createUser(t.prisma, 'other');
    const subscription = await activeSubscription(t, owner.auth, plan.id);
    await activeSubscription(t, other.auth, plan.id);

    // The owner pages past their own items.
    await request(t.server)
      .get('/v1/subscriptions')
      .query({ startingAfter: subscription.id })
      .set(owner.auth)
      .expect(200);
    await request(t.server)
      .get('/v1/invoices')
      .query({ startingAfter: subscription.invoiceId })
      .set(owner.auth)
      .expect(200);

    // Someone else's ids are not cursors of the other user's lists.
    expectInvalidCursor(
      await request(t.server)
        .get('/v1/subscriptions')
        .query({ startingAfter: subscription.id })
        .set(other.auth)
        .expect(400),
      subscription.id,
    );
    expectInvalidCursor(
      await request(t.server)
        .get('/v1/invoices')
        .query({ startingAfter: subscription.invoiceId })
        .set(other.auth)
        .expect(400),
      subscription.invoiceId,
    );
  });

  it("should answer /v1/users/{id}/api-keys with 400 invalid_cursor for an unknown id and for another user's key", async () => {
    const owner = await createUser(t.prisma, 'key-owner');
    const other = await createUser(t.prisma, 'key-other');
    const [otherKey] = await t.prisma.apiKey.findMany({ where: { userId: other.user.id } });
    for (const cursor of [randomUUID(), otherKey.id]) {
      for (const auth of [owner.auth, admin]) {
        const res = await request(t.server)
          .get(`/v1/users/${owner.user.id}/api-keys`)
          .query({ startingAfter: cursor })
          .set(auth)
          .expect(400);
        expectInvalidCursor(res, cursor);
      }
    }
  });

  it('should still page with a known cursor', async () => {
    await createPlan(t.prisma);
    await createPlan(t.prisma);
    const first = await request(t.server).get('/v1/plans').query({ limit: 1 }).set(admin).expect(200);
    expect(first.body.hasMore).toBe(true);
    const second = await request(t.server)
      .get('/v1/plans')
      .query({ limit: 1, startingAfter: first.body.nextCursor })
      .set(admin)
      .expect(200);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
  });
});
