import {
  Invoice,
  InvoicePayment,
  InvoicePaymentInitiator,
  InvoicePaymentStatus,
  InvoiceRefund,
  InvoiceStatus,
} from '../../generated/prisma/client';
import { ColumnMap, fromJson, jsonObject, pickPrefixed, selectList, setClause } from '../../platform/database/columns';
import { Cursor, pageQuery } from '../../platform/database/pages';
import { Sql, statement, statementFor } from '../../platform/database/database';
import { assertInvoicePaymentTransition, assertInvoiceTransition } from '../domain/invoice-status';
import { refundsFromJson, refundsJsonOf } from './invoice-refund.repository';

/** An invoice with its payments and its refunds, each oldest first. */
export type InvoiceWithPayments = Invoice & { payments: InvoicePayment[]; refunds: InvoiceRefund[] };

export const INVOICE_COLUMNS: ColumnMap<Invoice> = {
  id: 'id',
  subscriptionId: 'subscription_id',
  userId: 'user_id',
  planId: 'plan_id',
  kind: 'kind',
  status: 'status',
  amount: 'amount',
  currency: 'currency',
  periodStart: 'period_start',
  periodEnd: 'period_end',
  description: 'description',
  lines: 'lines',
  paidAt: 'paid_at',
  failedAt: 'failed_at',
  failureCode: 'failure_code',
  renewalKey: 'renewal_key',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

export const INVOICE_PAYMENT_COLUMNS: ColumnMap<InvoicePayment> = {
  id: 'id',
  invoiceId: 'invoice_id',
  paymentMethod: 'payment_method',
  status: 'status',
  gatewayPaymentId: 'gateway_payment_id',
  lastEventSequence: 'last_event_sequence',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  requestId: 'request_id',
  initiatedBy: 'initiated_by',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const INVOICE_SELECT = selectList(INVOICE_COLUMNS, 'i');
const PAYMENT_SELECT = selectList(INVOICE_PAYMENT_COLUMNS, 'ip');

// Invoices and invoice payments are written with the outbox message that charges them: billing/charge.repository.ts.

const FIND_INVOICE = statement('invoices_find', `SELECT ${INVOICE_SELECT} FROM invoices i WHERE i.id = $1`);

export async function findInvoice(db: Sql, id: string): Promise<Invoice | null> {
  const [invoice] = await db.query<Invoice>(FIND_INVOICE, [id]);
  return invoice ?? null;
}

const FIND_INITIAL_INVOICE = statement(
  'invoices_find_initial',
  `SELECT ${INVOICE_SELECT} FROM invoices i WHERE i.subscription_id = $1 AND i.kind = 'initial' ORDER BY i.created_at LIMIT 1`,
);

/** A subscription's initial invoice (every subscription has exactly one). */
export async function findInitialInvoice(db: Sql, subscriptionId: string): Promise<Invoice | null> {
  const [invoice] = await db.query<Invoice>(FIND_INITIAL_INVOICE, [subscriptionId]);
  return invoice ?? null;
}

/** Invoice fields other than its status; a status is written only by moveInvoice. */
export type InvoiceChanges = Partial<Omit<Invoice, 'id' | 'status' | 'updatedAt' | 'lines'>>;

/** Sets the given fields (never the status: see moveInvoice) and `updated_at`. */
export async function updateInvoice(db: Sql, id: string, changes: InvoiceChanges, now: Date): Promise<void> {
  await writeInvoice(db, id, changes, now);
}

/**
 * Moves `invoice` to status `to` (with `changes`) through its transition table, INVOICE_TRANSITIONS: the one
 * row-wise status write of an invoice. (The set-based void of an ended subscription's invoices,
 * voidInvoicesOfEndedSubscription, selects only the statuses that table lets become `void`.)
 * @throws Error for a move not in the table: a bug, never caused by input.
 */
export async function moveInvoice(
  db: Sql,
  invoice: Pick<Invoice, 'id' | 'status'>,
  to: InvoiceStatus,
  changes: InvoiceChanges,
  now: Date,
): Promise<void> {
  assertInvoiceTransition(invoice.status, to);
  await writeInvoice(db, invoice.id, { ...changes, status: to }, now);
}

async function writeInvoice(
  db: Sql,
  id: string,
  changes: Partial<Omit<Invoice, 'id' | 'updatedAt' | 'lines'>>,
  now: Date,
): Promise<void> {
  const { clause, values, shape } = setClause(INVOICE_COLUMNS, changes, 3);
  await db.execute(
    statementFor(
      `invoices_update_${shape}`,
      `UPDATE invoices SET ${clause ? `${clause}, ` : ''}updated_at = $2 WHERE id = $1`,
    ),
    [id, now, ...values],
  );
}

const VOID_INVOICES_OF_ENDED = statement(
  'invoices_void_of_ended_subscription',
  `WITH voided AS (
     UPDATE invoices SET status = 'void', updated_at = $2
      WHERE subscription_id = $1 AND (status = 'open' OR (status = 'failed' AND kind = 'initial'))
     RETURNING id
   ), unsent AS (
     UPDATE outbox_messages m SET status = 'canceled', locked_until = NULL, last_error = 'invoice voided before the charge was sent'
       FROM invoice_payments ip
      WHERE ip.invoice_id IN (SELECT id FROM voided) AND ip.status IN ('pending', 'unknown')
        AND m.aggregate_id = ip.id AND m.topic = 'payment.initiate' AND m.status = 'pending'
        AND (m.locked_until IS NULL OR m.locked_until <= $3)
     RETURNING m.aggregate_id
   ), canceled AS (
     UPDATE invoice_payments ip SET status = 'canceled', updated_at = $2
       FROM unsent WHERE ip.id = unsent.aggregate_id AND ip.status = 'pending'
     RETURNING ip.id
   )
   SELECT (SELECT count(*) FROM voided)::int AS voided, (SELECT count(*) FROM canceled)::int AS canceled`,
);

/**
 * When a subscription ends: voids what it still asked for (open invoices, and a failed initial invoice that
 * could have been paid again) and, in the same statement, cancels their charges that were not sent: each
 * `payment.initiate` outbox message still pending and not leased by a sender right now becomes `canceled`,
 * with its invoice payment if that is still `pending`. An `unknown` payment (the request may have reached the
 * gateway) keeps its status for reconciliation to resolve; a message being sent right now is re-checked by
 * its sender just before sending (see checkChargeStillOwed). `now` is the billing time stamped on the rows,
 * `systemNow` the clock leases are measured on. Returns the counts.
 */
export async function voidInvoicesOfEndedSubscription(
  db: Sql,
  subscriptionId: string,
  now: Date,
  systemNow: Date,
): Promise<{ voided: number; canceled: number }> {
  const [counts] = await db.query<{ voided: number; canceled: number }>(VOID_INVOICES_OF_ENDED, [
    subscriptionId,
    now,
    systemNow,
  ]);
  return counts;
}

export type InvoicePaymentWithInvoice = InvoicePayment & { invoice: Invoice };

const LOCK_PAYMENT = statement(
  'invoice_payments_lock',
  `SELECT ${PAYMENT_SELECT}, ${selectList(INVOICE_COLUMNS, 'i', 'invoice.')}
     FROM invoice_payments ip JOIN invoices i ON i.id = ip.invoice_id
    WHERE ip.id = $1
      FOR UPDATE OF ip`,
);

/**
 * Locks the invoice payment row (SELECT … FOR UPDATE) until the transaction ends and returns it with its
 * invoice as committed now. Events of one payment (webhooks, reconciliation, the outbox) serialise on this
 * lock; it is taken before the subscription's (lock order: invoice_payments → subscriptions → invoices).
 */
export async function lockInvoicePayment(db: Sql, id: string): Promise<InvoicePaymentWithInvoice | null> {
  const [row] = await db.query<Record<string, unknown>>(LOCK_PAYMENT, [id]);
  if (!row) return null;
  const payment = pickPrefixed(row, INVOICE_PAYMENT_COLUMNS, '') as InvoicePayment;
  return { ...payment, invoice: pickPrefixed(row, INVOICE_COLUMNS, 'invoice.') as Invoice };
}

/** Invoice payment fields other than its status; a status is written only by moveInvoicePayment. */
export type InvoicePaymentChanges = Partial<Omit<InvoicePayment, 'id' | 'invoiceId' | 'status' | 'updatedAt'>>;

/** Sets the given fields (never the status: see moveInvoicePayment) and `updated_at` of an invoice payment. */
export async function updateInvoicePayment(
  db: Sql,
  id: string,
  changes: InvoicePaymentChanges,
  now: Date,
): Promise<void> {
  await writeInvoicePayment(db, id, changes, now);
}

/**
 * Moves an invoice payment to status `to` (with `changes`) through INVOICE_PAYMENT_TRANSITIONS: the one row-wise
 * status write of an invoice payment. (The outbox's set-based writes select only the statuses that table allows.)
 * @throws Error for a move not in the table: a bug, never caused by input.
 */
export async function moveInvoicePayment(
  db: Sql,
  payment: Pick<InvoicePayment, 'id' | 'status'>,
  to: InvoicePaymentStatus,
  changes: InvoicePaymentChanges,
  now: Date,
): Promise<void> {
  assertInvoicePaymentTransition(payment.status, to);
  await writeInvoicePayment(db, payment.id, { ...changes, status: to }, now);
}

async function writeInvoicePayment(
  db: Sql,
  id: string,
  changes: Partial<Omit<InvoicePayment, 'id' | 'invoiceId' | 'updatedAt'>>,
  now: Date,
): Promise<void> {
  const { clause, values, shape } = setClause(INVOICE_PAYMENT_COLUMNS, changes, 3);
  await db.execute(
    statementFor(
      `invoice_payments_update_${shape}`,
      `UPDATE invoice_payments SET ${clause ? `${clause}, ` : ''}updated_at = $2 WHERE id = $1`,
    ),
    [id, now, ...values],
  );
}

const HAS_PENDING_CHARGE = statement(
  'invoice_payments_has_pending_charge',
  `SELECT EXISTS (SELECT 1 FROM outbox_messages WHERE aggregate_id = $1 AND topic = 'payment.initiate' AND status = 'pending') AS pending`,
);

/** Whether a `payment.initiate` outbox message for the invoice payment still waits to be sent (or re-sent). */
export async function hasPendingCharge(db: Sql, invoicePaymentId: string): Promise<boolean> {
  const [{ pending }] = await db.query<{ pending: boolean }>(HAS_PENDING_CHARGE, [invoicePaymentId]);
  return pending;
}

const COUNT_PAYMENTS = statement(
  'invoice_payments_count',
  `SELECT count(*)::int AS count FROM invoice_payments WHERE invoice_id = $1 AND status = ANY($2::invoice_payment_status[])`,
);

/** How many payments of the invoice are in one of `statuses`. */
export async function countInvoicePayments(
  db: Sql,
  invoiceId: string,
  statuses: readonly InvoicePaymentStatus[],
): Promise<number> {
  const [{ count }] = await db.query<{ count: number }>(COUNT_PAYMENTS, [invoiceId, statuses]);
  return count;
}

const COUNT_PAYMENTS_BY_INITIATOR = statement(
  'invoice_payments_count_by_initiator',
  `SELECT count(*)::int AS count FROM invoice_payments WHERE invoice_id = $1 AND status = ANY($2::invoice_payment_status[]) AND initiated_by = $3`,
);

/** How many payments of the invoice that `initiatedBy` asked for are in one of `statuses` (dunning counts the billing system's failures only). */
export async function countInvoicePaymentsBy(
  db: Sql,
  invoiceId: string,
  statuses: readonly InvoicePaymentStatus[],
  initiatedBy: InvoicePaymentInitiator,
): Promise<number> {
  const [{ count }] = await db.query<{ count: number }>(COUNT_PAYMENTS_BY_INITIATOR, [
    invoiceId,
    statuses,
    initiatedBy,
  ]);
  return count;
}

/** The invoice payment statuses of an attempt whose outcome is not known yet: a new attempt on the invoice must wait for it. */
export const IN_FLIGHT_PAYMENT_STATUSES: readonly InvoicePaymentStatus[] = ['pending', 'processing', 'unknown'];

/**
 * The payments of the invoice aliased `invoiceAlias`, oldest first, as one JSON array column: the Invoice
 * resource (alone, in a list, or as a subscription's latest invoice) is then read in one query.
 */
export function paymentsJsonOf(invoiceAlias: string): string {
  return `(SELECT coalesce(json_agg(${jsonObject(INVOICE_PAYMENT_COLUMNS, 'ip')} ORDER BY ip.created_at, ip.id), '[]'::json)
             FROM invoice_payments ip WHERE ip.invoice_id = ${invoiceAlias}.id)`;
}

/** The payments of `paymentsJsonOf`, typed again. */
export function paymentsFromJson(json: unknown): InvoicePayment[] {
  return (json as Record<string, unknown>[]).map((payment) =>
    fromJson<InvoicePayment>(payment, ['createdAt', 'updatedAt']),
  );
}

const WITH_PAYMENTS_SELECT = `${INVOICE_SELECT}, ${paymentsJsonOf('i')} AS payments, ${refundsJsonOf('i')} AS refunds`;

type InvoiceRow = Invoice & { payments: unknown; refunds: unknown };

function withPaymentsFromJson(row: InvoiceRow): InvoiceWithPayments {
  return { ...row, payments: paymentsFromJson(row.payments), refunds: refundsFromJson(row.refunds) };
}

const FIND_VISIBLE_INVOICE = statement(
  'invoices_find_visible',
  `SELECT ${WITH_PAYMENTS_SELECT} FROM invoices i WHERE i.id = $1 AND ($2::uuid IS NULL OR i.user_id = $2)`,
);

/** The invoice with its payments if it exists and, when `ownerId` is given, belongs to that user. */
export async function findVisibleInvoice(
  db: Sql,
  id: string,
  ownerId: string | null,
): Promise<InvoiceWithPayments | null> {
  const [invoice] = await db.query<InvoiceRow>(FIND_VISIBLE_INVOICE, [id, ownerId]);
  return invoice ? withPaymentsFromJson(invoice) : null;
}

const FIND_CURSOR = statement(
  'invoices_cursor',
  `SELECT i.created_at AS "createdAt", i.id FROM invoices i WHERE i.id = $1 AND ($2::uuid IS NULL OR i.user_id = $2)`,
);

/** Where a page after invoice `id` starts, if that invoice exists and is visible. */
export async function findInvoiceCursor(db: Sql, id: string, ownerId: string | null): Promise<Cursor | null> {
  const [cursor] = await db.query<Cursor>(FIND_CURSOR, [id, ownerId]);
  return cursor ?? null;
}

export interface InvoiceListFilter {
  readonly ownerId?: string;
  readonly subscriptionId?: string;
  readonly status?: InvoiceStatus;
}

/**
 * Newest first, strictly after `cursor` in (created_at DESC, id DESC) order. Only the filters given become
 * conditions (one prepared statement per combination, so each gets its own plan), and the cursor is a
 * row-value comparison, an index condition on (created_at, id) and (user_id, created_at, id): a deep page
 * costs what the first one does.
 */
export async function listInvoices(
  db: Sql,
  filter: InvoiceListFilter,
  cursor: Cursor | null,
  limit: number,
): Promise<InvoiceWithPayments[]> {
  const page = pageQuery(
    'i',
    [
      ['user_id', filter.ownerId],
      ['subscription_id', filter.subscriptionId],
      ['status', filter.status],
    ],
    cursor,
    limit,
  );
  const rows = await db.query<InvoiceRow>(
    statementFor(
      `invoices_list_${page.shape}`,
      `SELECT ${WITH_PAYMENTS_SELECT} FROM invoices i ${page.where} ORDER BY i.created_at DESC, i.id DESC LIMIT ${page.limitParam}`,
    ),
    page.values,
  );
  return rows.map(withPaymentsFromJson);
}

const PAYMENT_ID_BY_ID = statement('invoice_payments_by_id', `SELECT id FROM invoice_payments WHERE id = $1`);
const PAYMENT_ID_BY_GATEWAY_ID = statement(
  'invoice_payments_by_gateway_id',
  `SELECT id FROM invoice_payments WHERE gateway_payment_id = $1`,
);
const LATEST_PAYMENT_ID_OF_INVOICE = statement(
  'invoice_payments_latest_of_invoice',
  `SELECT id FROM invoice_payments WHERE invoice_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
);

/** The invoice payment with that id, the one the gateway knows as `gatewayPaymentId`, or else the latest payment of invoice `invoiceId`. */
export async function findInvoicePaymentId(
  db: Sql,
  by: { id: string } | { gatewayPaymentId: string } | { invoiceId: string },
): Promise<string | null> {
  const [row] =
    'id' in by
      ? await db.query<{ id: string }>(PAYMENT_ID_BY_ID, [by.id])
      : 'gatewayPaymentId' in by
        ? await db.query<{ id: string }>(PAYMENT_ID_BY_GATEWAY_ID, [by.gatewayPaymentId])
        : await db.query<{ id: string }>(LATEST_PAYMENT_ID_OF_INVOICE, [by.invoiceId]);
  return row?.id ?? null;
}
