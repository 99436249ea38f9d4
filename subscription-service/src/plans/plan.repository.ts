import { Plan } from '../generated/prisma/client';
import { ColumnMap, selectList } from '../platform/database/columns';
import { Sql, statement, statementFor } from '../platform/database/database';
import { Cursor, pageQuery } from '../platform/database/pages';

export const PLAN_COLUMNS: ColumnMap<Plan> = {
  id: 'id',
  code: 'code',
  name: 'name',
  description: 'description',
  amount: 'amount',
  currency: 'currency',
  interval: 'interval',
  intervalCount: 'interval_count',
  active: 'active',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const PLAN_SELECT = selectList(PLAN_COLUMNS, 'p');

const FIND_PLAN = statement('plans_find', `SELECT ${PLAN_SELECT} FROM plans p WHERE p.id = $1`);

/** The plan with this id, or null. */
export async function findPlan(db: Sql, id: string): Promise<Plan | null> {
  const [plan] = await db.query<Plan>(FIND_PLAN, [id]);
  return plan ?? null;
}

const INSERT_PLAN = statement(
  'plans_insert',
  `INSERT INTO plans (id, code, name, description, amount, currency, interval, interval_count, active, created_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
);

/** Inserts a plan (`updatedAt` = `createdAt`); a taken code is a unique violation on `code`. */
export async function insertPlan(db: Sql, plan: Omit<Plan, 'updatedAt'>): Promise<Plan> {
  await db.execute(INSERT_PLAN, [
    plan.id,
    plan.code,
    plan.name,
    plan.description,
    plan.amount,
    plan.currency,
    plan.interval,
    plan.intervalCount,
    plan.active,
    plan.createdAt,
  ]);
  return { ...plan, updatedAt: plan.createdAt };
}

const FIND_CURSOR = statement('plans_cursor', `SELECT created_at AS "createdAt", id FROM plans WHERE id = $1`);

/** Where a page after plan `id` starts, if that plan exists. */
export async function findPlanCursor(db: Sql, id: string): Promise<Cursor | null> {
  const [cursor] = await db.query<Cursor>(FIND_CURSOR, [id]);
  return cursor ?? null;
}

/** Newest first after `cursor` (see pageQuery), optionally only active or only archived plans. */
export function listPlans(
  db: Sql,
  filter: { active?: boolean },
  cursor: Cursor | null,
  limit: number,
): Promise<Plan[]> {
  const page = pageQuery('p', [['active', filter.active]], cursor, limit);
  return db.query<Plan>(
    statementFor(
      `plans_list_${page.shape}`,
      `SELECT ${PLAN_SELECT} FROM plans p ${page.where} ORDER BY p.created_at DESC, p.id DESC LIMIT ${page.limitParam}`,
    ),
    page.values,
  );
}
