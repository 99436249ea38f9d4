import {
  Invoice,
  Plan,
  Subscription,
  SubscriptionStatus,
  SubscriptionStatusChange,
} from '../../generated/prisma/client';
import { refundsFromJson, refundsJsonOf } from '../../invoices/persistence/invoice-refund.repository';
import {
  INVOICE_COLUMNS,
  InvoiceWithPayments,
  paymentsFromJson,
  paymentsJsonOf,
} from '../../invoices/persistence/invoice.repository';
import { PLAN_COLUMNS } from '../../plans/plan.repository';
import { ColumnMap, pickPrefixed, selectList, setClause } from '../../platform/database/columns';
import { Sql, statement, statementFor } from '../../platform/database/database';
import { Cursor, pageQuery } from '../../platform/database/pages';
import { DomainError } from '../../platform/errors/domain-error';

/** A subscription with its plan and `invoices` = [its latest invoice with payments] (or none); see findSubscriptionView. */
export type SubscriptionView = Subscription & { plan: Plan; invoices: InvoiceWithPayments[] };

export const SUBSCRIPTION_COLUMNS: ColumnMap<Subscription> = {
  id: 'id',
  userId: 'user_id',
  planId: 'plan_id',
  status: 'status',
  liveUserId: 'live_user_id',
  paymentMethod: 'payment_method',
  currentPeriodStart: 'current_period_start',
  currentPeriodEnd: 'current_period_end',
  billingCycleAnchor: 'billing_cycle_anchor',
  cancelAtPeriodEnd: 'cancel_at_period_end',
  canceledAt: 'canceled_at',
  endedAt: 'ended_at',
  cancellationReason: 'cancellation_reason',
  pendingPlanId: 'pending_plan_id',
  pendingInvoiceId: 'pending_invoice_id',
  scheduledPlanId: 'scheduled_plan_id',
  incompleteExpiresAt: 'incomplete_expires_at',
  renewalInvoiceId: 'renewal_invoice_id',
  nextPaymentRetryAt: 'next_payment_retry_at',
  clockOffsetSeconds: 'clock_offset_seconds',
  version: 'version',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const SUBSCRIPTION_SELECT = selectList(SUBSCRIPTION_COLUMNS, 's');

/** The columns an operation may change; id, user, version and timestamps are managed here. */
export type SubscriptionChanges = Partial<Omit<Subscription, 'id' | 'userId' | 'version' | 'createdAt' | 'updatedAt'>>;

const INSERT_SUBSCRIPTION = statement(
  'subscriptions_insert',
  `WITH created AS (
     INSERT INTO subscriptions (id, user_id, plan_id, status, live_user_id, payment_method, current_period_start, current_period_end,
                                billing_cycle_anchor, incomplete_expires_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
   )
   INSERT INTO subscription_status_changes (id, subscription_id, from_status, to_status, reason, cause_type, cause_id, created_at)
   VALUES (gen_random_uuid(), $1, NULL, $4, $12, $13, $14, $11)`,
);

/**
 * Inserts a new subscription and the first row of its status history (NULL → its status, `cause`), in one
 * statement; every column not given starts at its schema default (version 0, no offset).
 */
export async function insertSubscription(
  db: Sql,
  row: Pick<
    Subscription,
    | 'id'
    | 'userId'
    | 'planId'
    | 'status'
    | 'liveUserId'
    | 'paymentMethod'
    | 'currentPeriodStart'
    | 'currentPeriodEnd'
    | 'billingCycleAnchor'
    | 'incompleteExpiresAt'
    | 'createdAt'
  >,
  cause: Pick<SubscriptionStatusChange, 'reason' | 'causeType' | 'causeId'>,
): Promise<Subscription> {
  await db.execute(INSERT_SUBSCRIPTION, [
    row.id,
    row.userId,
    row.planId,
    row.status,
    row.liveUserId,
    row.paymentMethod,
    row.currentPeriodStart,
    row.currentPeriodEnd,
    row.billingCycleAnchor,
    row.incompleteExpiresAt,
    row.createdAt,
    cause.reason,
    cause.causeType,
    cause.causeId,
  ]);
  return {
    ...row,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    cancellationReason: null,
    pendingPlanId: null,
    pendingInvoiceId: null,
    scheduledPlanId: null,
    renewalInvoiceId: null,
    nextPaymentRetryAt: null,
    clockOffsetSeconds: 0,
    version: 0,
    updatedAt: row.createdAt,
  };
}

const FIND_SUBSCRIPTION = statement(
  'subscriptions_find',
  `SELECT ${SUBSCRIPTION_SELECT} FROM subscriptions s WHERE s.id = $1 AND ($2::uuid IS NULL OR s.user_id = $2)`,
);

/** The subscription if it exists and, when `ownerId` is given, belongs to that user. */
export async function findSubscription(
  db: Sql,
  id: string,
  ownerId: string | null = null,
): Promise<Subscription | null> {
  const [subscription] = await db.query<Subscription>(FIND_SUBSCRIPTION, [id, ownerId]);
  return subscription ?? null;
}

const LOCK_SUBSCRIPTION = statement(
  'subscriptions_lock',
  `SELECT ${SUBSCRIPTION_SELECT} FROM subscriptions s WHERE s.id = $1 AND ($2::uuid IS NULL OR s.user_id = $2) FOR UPDATE`,
);

/**
 * Locks the subscription row (`SELECT … FOR UPDATE`) until the caller's transaction ends and returns it
 * as it is now (after waiting, PostgreSQL returns the row a concurrent writer committed), or null when it
 * does not exist (or, with `ownerId`, is not that user's).
 *
 * Every operation that mutates a subscription takes this lock FIRST, before writing anything else.
 * Concurrent operations on one subscription then run one after the other and each sees the previous
 * one's result (→ a domain 409 such as plan_change_pending), instead of deadlocking: without it, a
 * plan change inserting its proration invoice takes a KEY SHARE lock on the row through the foreign
 * key, and the following update of the UNIQUE pending_invoice_id needs an exclusive lock that
 * conflicts with the other transaction's KEY SHARE lock (PostgreSQL 40P01).
 * Lock order across the service: invoice_payments (webhooks, outbox) → subscriptions → invoices.
 */
export async function lockSubscription(
  db: Sql,
  id: string,
  ownerId: string | null = null,
): Promise<Subscription | null> {
  const [subscription] = await db.query<Subscription>(LOCK_SUBSCRIPTION, [id, ownerId]);
  return subscription ?? null;
}

const LOCK_WITH_INVOICE = statement(
  'subscriptions_lock_with_invoice',
  `SELECT ${SUBSCRIPTION_SELECT}, ${selectList(INVOICE_COLUMNS, 'i', 'invoice.')}
     FROM subscriptions s JOIN invoices i ON i.subscription_id = s.id
    WHERE s.id = $1 AND i.id = $2
      FOR UPDATE OF s`,
);

/**
 * Locks the subscription (as lockSubscription) and reads one of its invoices as committed after the lock,
 * in one statement: what settling a payment of that invoice needs. Null when either does not exist.
 */
export async function lockSubscriptionWithInvoice(
  db: Sql,
  id: string,
  invoiceId: string,
): Promise<{ subscription: Subscription; invoice: Invoice } | null> {
  const [row] = await db.query<Record<string, unknown>>(LOCK_WITH_INVOICE, [id, invoiceId]);
  if (!row) return null;
  return {
    subscription: pickPrefixed(row, SUBSCRIPTION_COLUMNS, '') as Subscription,
    invoice: pickPrefixed(row, INVOICE_COLUMNS, 'invoice.') as Invoice,
  };
}

/**
 * Writes `changes` only if nobody changed the row since it was read (its `version`), bumping the version
 * (optimistic lock). Returns the row as written.
 * @throws DomainError `conflict` (409) when the version moved on.
 */
export async function updateSubscriptionVersioned(
  db: Sql,
  subscription: Subscription,
  changes: SubscriptionChanges,
  now: Date,
): Promise<Subscription> {
  const { clause, values, shape } = setClause(SUBSCRIPTION_COLUMNS, changes, 4);
  const count = await db.execute(
    statementFor(
      `subscriptions_update_${shape}`,
      `UPDATE subscriptions SET ${clause ? `${clause}, ` : ''}version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2`,
    ),
    [subscription.id, subscription.version, now, ...values],
  );
  if (count !== 1) {
    throw new DomainError('conflict', `Subscription ${subscription.id} was modified concurrently; retry the request.`);
  }
  return { ...subscription, ...definedOnly(changes), version: subscription.version + 1, updatedAt: now };
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

const INSERT_STATUS_CHANGE = statement(
  'subscription_status_changes_insert',
  `INSERT INTO subscription_status_changes (id, subscription_id, from_status, to_status, reason, cause_type, cause_id, created_at)
   VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7)`,
);

/** Appends one row to the subscription's status history. */
export async function insertStatusChange(
  db: Sql,
  change: Pick<
    SubscriptionStatusChange,
    'subscriptionId' | 'fromStatus' | 'toStatus' | 'reason' | 'causeType' | 'causeId' | 'createdAt'
  >,
): Promise<void> {
  await db.execute(INSERT_STATUS_CHANGE, [
    change.subscriptionId,
    change.fromStatus,
    change.toStatus,
    change.reason,
    change.causeType,
    change.causeId,
    change.createdAt,
  ]);
}

/** The subscription, its plan and its latest invoice (newest by created_at, id), in one row. */
const VIEW_FROM = `
  FROM subscriptions s
  JOIN plans p ON p.id = s.plan_id
  LEFT JOIN LATERAL (
    SELECT * FROM invoices li WHERE li.subscription_id = s.id ORDER BY li.created_at DESC, li.id DESC LIMIT 1
  ) i ON true`;
const VIEW_SELECT = `${SUBSCRIPTION_SELECT}, ${selectList(PLAN_COLUMNS, 'p', 'plan.')}, ${selectList(INVOICE_COLUMNS, 'i', 'invoice.')},
  ${paymentsJsonOf('i')} AS "invoice.payments", ${refundsJsonOf('i')} AS "invoice.refunds"`;

const FIND_VIEW = statement(
  'subscriptions_view',
  `SELECT ${VIEW_SELECT} ${VIEW_FROM} WHERE s.id = $1 AND ($2::uuid IS NULL OR s.user_id = $2)`,
);

/** What the Subscription resource shows, in one query: the row, its plan, its latest invoice and that invoice's payments. */
export async function findSubscriptionView(
  db: Sql,
  id: string,
  ownerId: string | null,
): Promise<SubscriptionView | null> {
  const [row] = await db.query<Record<string, unknown>>(FIND_VIEW, [id, ownerId]);
  return row ? toView(row) : null;
}

export interface SubscriptionListFilter {
  readonly userId?: string;
  readonly status?: SubscriptionStatus;
}

const FIND_CURSOR = statement(
  'subscriptions_cursor',
  `SELECT s.created_at AS "createdAt", s.id FROM subscriptions s WHERE s.id = $1 AND ($2::uuid IS NULL OR s.user_id = $2)`,
);

/** Where a page after subscription `id` starts, if that subscription exists and is visible. */
export async function findSubscriptionCursor(db: Sql, id: string, ownerId: string | null): Promise<Cursor | null> {
  const [cursor] = await db.query<Cursor>(FIND_CURSOR, [id, ownerId]);
  return cursor ?? null;
}

/** Newest first after `cursor` (see pageQuery): a deep page costs what the first one does. */
export async function listSubscriptionViews(
  db: Sql,
  filter: SubscriptionListFilter,
  cursor: Cursor | null,
  limit: number,
): Promise<SubscriptionView[]> {
  const page = pageQuery(
    's',
    [
      ['user_id', filter.userId],
      ['status', filter.status],
    ],
    cursor,
    limit,
  );
  const rows = await db.query<Record<string, unknown>>(
    statementFor(
      `subscriptions_list_${page.shape}`,
      `SELECT ${VIEW_SELECT} ${VIEW_FROM} ${page.where} ORDER BY s.created_at DESC, s.id DESC LIMIT ${page.limitParam}`,
    ),
    page.values,
  );
  return rows.map(toView);
}

function toView(row: Record<string, unknown>): SubscriptionView {
  const latest = pickPrefixed(row, INVOICE_COLUMNS, 'invoice.');
  return {
    ...(pickPrefixed(row, SUBSCRIPTION_COLUMNS, '') as Subscription),
    plan: pickPrefixed(row, PLAN_COLUMNS, 'plan.') as Plan,
    invoices: latest
      ? [
          {
            ...latest,
            payments: paymentsFromJson(row['invoice.payments']),
            refunds: refundsFromJson(row['invoice.refunds']),
          },
        ]
      : [],
  };
}
