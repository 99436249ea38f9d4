import request from 'supertest';
import { DEMO_KEYS, SEED_IDS } from '../src/seed-ids';
import { seedDatabase } from '../src/seed';
import { createTestApp, resetDatabase, TestApp } from './support/test-app';

describe('seed (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_API_KEYS: DEMO_KEYS.admin });
    await resetDatabase(t.prisma);
  });
  afterAll(() => t.close());

  const snapshot = async () => ({
    users: await t.prisma.user.findMany({ orderBy: { id: 'asc' } }),
    plans: await t.prisma.plan.findMany({ orderBy: { id: 'asc' } }),
    subscriptions: await t.prisma.subscription.findMany({ orderBy: { id: 'asc' } }),
    invoices: await t.prisma.invoice.findMany({ orderBy: { id: 'asc' }, include: { payments: true } }),
    history: await t.prisma.subscriptionStatusChange.count(),
  });

  it('should be idempotent: a second run changes nothing', async () => {
    await seedDatabase(t.prisma, new Date('2026-03-01T00:00:00Z'));
    const first = await snapshot();
    await seedDatabase(t.prisma, new Date('2026-03-05T00:00:00Z'));
    expect(await snapshot()).toEqual(first);
    expect(first.plans.map((p) => [p.code, p.amount, p.interval])).toEqual([
      ['starter-monthly', 900, 'month'],
      ['pro-monthly', 2900, 'month'],
      ['business-monthly', 9900, 'month'],
      ['pro-yearly', 29000, 'year'],
    ]);
  });

  it('should make the demo keys and the documented ids work through the API', async () => {
    const bob = { Authorization: `Bearer ${DEMO_KEYS.bob}` };
    const me = await request(t.server)
      .get('/v1/me')
      .set({ Authorization: `Bearer ${DEMO_KEYS.alice}` })
      .expect(200);
    expect(me.body).toMatchObject({ id: SEED_IDS.users.alice, email: 'alice@example.com' });
    const sub = await request(t.server).get(`/v1/subscriptions/${SEED_IDS.bobSubscription}`).set(bob).expect(200);
    expect(sub.body).toMatchObject({
      status: 'active',
      planId: SEED_IDS.plans.starterMonthly,
      latestInvoice: { id: SEED_IDS.bobInitialInvoice, status: 'paid', amount: 900 },
    });
    await request(t.server)
      .get('/v1/users')
      .set({ Authorization: `Bearer ${DEMO_KEYS.admin}` })
      .expect(200);
  });
});
