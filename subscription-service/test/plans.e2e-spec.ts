import request from 'supertest';
import { createUser, TestUser } from './support/factories';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';

describe('plans (e2e)', () => {
  let t: TestApp;
  let user: TestUser;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const team = {
    code: 'team-monthly',
    name: 'Team',
    description: 'For teams',
    amount: 4900,
    currency: 'USD',
    interval: 'month',
  };

  beforeAll(async () => {
    t = await createTestApp();
    await resetDatabase(t.prisma);
    user = await createUser(t.prisma);
  });
  afterAll(() => t.close());

  it('should create a plan as admin with intervalCount defaulting to 1', async () => {
    const res = await request(t.server).post('/v1/plans').set(admin).send(team).expect(201);
    expect(res.body).toMatchObject({ ...team, object: 'plan', intervalCount: 1, active: true });
  });

  it('should reject a taken code with 409 plan_code_taken', async () => {
    const res = await request(t.server).post('/v1/plans').set(admin).send(team).expect(409);
    expect(res.body.code).toBe('plan_code_taken');
  });

  it.each([
    ['a fractional amount', { ...team, code: 'x-1', amount: 49.5 }, 'amount'],
    ['a lower-case currency', { ...team, code: 'x-2', currency: 'usd' }, 'currency'],
    ['a currency that is not ISO-4217 (ZZZ)', { ...team, code: 'x-4', currency: 'ZZZ' }, 'currency'],
    ["an amount above the payment service's 99999999", { ...team, code: 'x-5', amount: 100_000_000 }, 'amount'],
    ['an unknown interval', { ...team, code: 'x-3', interval: 'week' }, 'interval'],
  ])('should reject %s with 400', async (_label, body, field) => {
    const res = await request(t.server).post('/v1/plans').set(admin).send(body).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('should accept the largest amount, in a zero-decimal currency (JPY)', async () => {
    const jpy = { ...team, code: 'team-monthly-jpy', amount: 99_999_999, currency: 'JPY' };
    const res = await request(t.server).post('/v1/plans').set(admin).send(jpy).expect(201);
    expect(res.body).toMatchObject({ amount: 99_999_999, currency: 'JPY' });
  });

  it('should explain the currency rule in the field error', async () => {
    const res = await request(t.server)
      .post('/v1/plans')
      .set(admin)
      .send({ ...team, code: 'x-6', currency: 'XYZ' })
      .expect(400);
    expect(res.body.errors).toEqual([{ field: 'currency', message: expect.stringContaining('ISO-4217') }]);
  });

  it('should forbid users from creating plans but let them read', async () => {
    await request(t.server)
      .post('/v1/plans')
      .set(user.auth)
      .send({ ...team, code: 'user-plan' })
      .expect(403);
    const list = await request(t.server).get('/v1/plans').set(user.auth).expect(200);
    expect(list.body.data.map((p: { code: string }) => p.code)).toContain('team-monthly');
  });

  it('should rename a plan but refuse to change its price', async () => {
    const plan = await t.prisma.plan.findUniqueOrThrow({ where: { code: 'team-monthly' } });
    const res = await request(t.server)
      .patch(`/v1/plans/${plan.id}`)
      .set(admin)
      .send({ name: 'Team (2026)' })
      .expect(200);
    expect(res.body).toMatchObject({ name: 'Team (2026)', amount: 4900 });
    const priced = await request(t.server).patch(`/v1/plans/${plan.id}`).set(admin).send({ amount: 1 }).expect(400);
    expect(priced.body.errors).toEqual([expect.objectContaining({ field: 'amount' })]);
  });

  it('should archive a plan and filter by active', async () => {
    const plan = await t.prisma.plan.findUniqueOrThrow({ where: { code: 'team-monthly' } });
    const res = await request(t.server).post(`/v1/plans/${plan.id}/archive`).set(admin).expect(200);
    expect(res.body.active).toBe(false);
    const active = await request(t.server).get('/v1/plans?active=true').set(user.auth).expect(200);
    expect(active.body.data.map((p: { id: string }) => p.id)).not.toContain(plan.id);
    const archived = await request(t.server).get('/v1/plans?active=false').set(user.auth).expect(200);
    expect(archived.body.data.map((p: { id: string }) => p.id)).toContain(plan.id);

    const subscribe = await request(t.server)
      .post('/v1/subscriptions')
      .set(user.auth)
      .send({ planId: plan.id, paymentMethod: 'pm_card_visa' })
      .expect(409);
    expect(subscribe.body.code).toBe('plan_archived');
  });

  it('should answer 404 for an unknown plan', async () => {
    await request(t.server).get('/v1/plans/00000000-0000-4000-8000-00000000dead').set(user.auth).expect(404);
  });
});
