// SQL fixtures written straight into the subscription database: customers with known API keys,
// subscriptions that are due for renewal, and ended subscriptions that pad the tables. They follow
// subscription-service/prisma/schema.prisma (+ migrations) and the billing worker's due predicate
// (subscription-service/src/billing/billing.worker.ts, claimDueSubscription): when either changes,
// update the functions below.

/** Seeded plan ids (subscription-service/src/seed-ids.ts). */
export const PLANS = { starterMonthly: '00000000-0000-4000-8000-000000000101' };
/** Seeded customer Bob: an active starter-monthly subscription with a paid initial invoice. */
export const BOB = { key: 'sk_user_demo_bob_0001', subscriptionId: '00000000-0000-4000-8000-000000000201' };

/** The API key of customer `i` (1-based) of a fixture; the SQL below builds the same string. */
const userKey = (tag, i) => `sk_live_bench_${tag}_${i}`;

/**
 * WITH-list items that insert `$2` customers tagged `$1`, created at `created` (an SQL expression, evaluated per
 * row), each with one API key, userKey(): the service stores only api_keys.key_hash = sha256 hex of the key,
 * prefix = its first 12 characters and last4 = its last 4 (subscription-service/src/platform/auth/api-key.ts).
 * Select `id, created_at` FROM `customers`. (OFFSET 0 keeps the subquery, so `created` and the id are evaluated
 * once per row; the key rows are checked against the user rows at the end of the statement.)
 */
function customerCtes(created = 'now()') {
  return `
    new_customers AS (
      SELECT gen_random_uuid() AS id, i, format('sk_live_bench_%s_%s', $1::text, i) AS key, ${created} AS at
        FROM generate_series(1, $2::int) AS i OFFSET 0
    ), customers AS (
      INSERT INTO users (id, email, name, created_at, updated_at)
      SELECT g.id, format('bench-%s-%s@bench.invalid', $1::text, g.i), format('Bench %s %s', $1::text, g.i), g.at, g.at
        FROM new_customers g
      RETURNING id, created_at
    ), customer_keys AS (
      INSERT INTO api_keys (id, user_id, key_hash, prefix, last4, created_at)
      SELECT gen_random_uuid(), g.id, encode(sha256(convert_to(g.key, 'UTF8')), 'hex'), left(g.key, 12), right(g.key, 4), g.at
        FROM new_customers g
    )`;
}

/** `count` customers without a subscription; returns their API keys. */
export async function createCustomers(db, { tag, count }) {
  await db.query(`WITH ${customerCtes()} SELECT id FROM customers`, [tag, count]);
  return Array.from({ length: count }, (_, i) => userKey(tag, i + 1));
}

/**
 * `count` active starter-monthly subscriptions (and their customers) whose period ended one second
 * ago, written in ONE statement (one transaction) so the billing worker finds them all due at once.
 * Due means, as in claimDueSubscription: status 'active', renewal_invoice_id NULL, current_period_end
 * <= billing time (now + clock_offset_seconds), and no upgrade awaiting payment (pending_invoice_id
 * NULL) — cancel_at_period_end false, so the work is a renewal. Columns the schema requires and the
 * worker reads are all set explicitly; if a migration adds one (e.g. a maintained "next billing due
 * at"), fill it here by the same rule (billing_cycle_anchor: the period start, as a subscribe writes it). Returns the subscription ids and the commit time (this machine's clock).
 */
export async function insertDueSubscriptions(db, { tag, count }) {
  const { rows } = await db.query(
    `WITH ${customerCtes("now() - interval '1 month 1 second'")}
     INSERT INTO subscriptions (id, user_id, plan_id, status, live_user_id, payment_method,
                                current_period_start, current_period_end, billing_cycle_anchor, cancel_at_period_end,
                                pending_plan_id, pending_invoice_id, scheduled_plan_id, renewal_invoice_id,
                                next_payment_retry_at, incomplete_expires_at, clock_offset_seconds, version,
                                created_at, updated_at)
     SELECT gen_random_uuid(), c.id, $3::uuid, 'active', c.id, 'pm_card_visa',
            now() - interval '1 month 1 second', now() - interval '1 second', now() - interval '1 month 1 second', false,
            NULL, NULL, NULL, NULL,
            NULL, NULL, 0, 0,
            c.created_at, now()
       FROM customers c
     RETURNING id`,
    [tag, count, PLANS.starterMonthly],
  );
  return { ids: rows.map((r) => r.id), committedAt: Date.now() };
}

/**
 * Pads the tables with `count` ended subscriptions (and their customers), created at random times
 * over the past year: status 'canceled', live_user_id NULL, the period (and the subscription) ended
 * in the past. A canceled subscription is never due for the billing worker. Then VACUUM ANALYZE, as
 * autovacuum would eventually, so the planner knows the new sizes.
 */
export async function insertPaddingSubscriptions(db, { tag, count }) {
  if (count <= 0) return;
  await db.query(
    `WITH ${customerCtes("now() - random() * interval '365 days'")}
     INSERT INTO subscriptions (id, user_id, plan_id, status, live_user_id, payment_method,
                                current_period_start, current_period_end, billing_cycle_anchor, cancel_at_period_end,
                                canceled_at, ended_at, cancellation_reason, clock_offset_seconds, version,
                                created_at, updated_at)
     SELECT gen_random_uuid(), c.id, $3::uuid, 'canceled', NULL, 'pm_card_visa',
            c.created_at, p.ended, c.created_at, false,
            p.ended, p.ended, 'bench_padding', 0, 1,
            c.created_at, p.ended
       FROM customers c, LATERAL (SELECT least(c.created_at + interval '1 month', now() - interval '1 second') AS ended) AS p`,
    [tag, count, PLANS.starterMonthly],
  );
  await db.query('VACUUM ANALYZE users, api_keys, subscriptions');
}
