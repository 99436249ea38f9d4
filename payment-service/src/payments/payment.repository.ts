import { Payment, PaymentAttempt, PaymentStatus } from '../generated/prisma/client';
import { ColumnMap, fromJson, jsonObject, selectList } from '../platform/database/columns';
import { Sql, statement, statementFor } from '../platform/database/database';
import { Cursor, pageQuery } from '../platform/database/pages';
import { REFUNDS_OF_PAYMENT_JSON, refundsFromJson } from '../refunds/refund.repository';
import { PaymentEvent } from '../webhooks/payment-event';
import { PaymentWithAttempts } from './payment.mapper';

export const PAYMENT_COLUMNS: ColumnMap<Payment> = {
  id: 'id',
  amount: 'amount',
  currency: 'currency',
  merchantReference: 'merchant_reference',
  customerReference: 'customer_reference',
  paymentMethod: 'payment_method',
  description: 'description',
  metadata: 'metadata',
  status: 'status',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  attemptCount: 'attempt_count',
  nextAttemptAt: 'next_attempt_at',
  lockedUntil: 'locked_until',
  requestId: 'request_id',
  traceContext: 'trace_context',
  idempotencyScope: 'idempotency_scope',
  idempotencyRequestHash: 'idempotency_request_hash',
  eventSequence: 'event_sequence',
  processedAt: 'processed_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

export const ATTEMPT_COLUMNS: ColumnMap<PaymentAttempt> = {
  id: 'id',
  paymentId: 'payment_id',
  attemptNumber: 'attempt_number',
  outcome: 'outcome',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

const PAYMENT_SELECT = selectList(PAYMENT_COLUMNS, 'p');

export type NewPayment = Pick<
  Payment,
  | 'id'
  | 'amount'
  | 'currency'
  | 'merchantReference'
  | 'customerReference'
  | 'paymentMethod'
  | 'description'
  | 'metadata'
  | 'requestId'
  | 'traceContext'
  | 'idempotencyScope'
  | 'idempotencyRequestHash'
  | 'lockedUntil'
  | 'createdAt'
>;

const INSERT_PAYMENT = statement(
  'payments_insert',
  `INSERT INTO payments (id, amount, currency, merchant_reference, customer_reference, payment_method, description, metadata, status,
                         attempt_count, next_attempt_at, locked_until, request_id, idempotency_scope, idempotency_request_hash,
                         event_sequence, trace_context, created_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'processing', 0, $9, $10, $11, $12, $13, 0, $14, $9, $9)
   ON CONFLICT (idempotency_scope) DO NOTHING`,
);

/**
 * Inserts a `processing` payment due now (`createdAt`), optionally already leased to this process
 * (`lockedUntil`). Returns it as inserted, or null when its idempotency scope is already taken (the
 * unique column: a key never creates two payments, whatever the number of concurrent requests).
 */
export async function insertPayment(db: Sql, payment: NewPayment): Promise<PaymentWithAttempts | null> {
  const inserted = await db.execute(INSERT_PAYMENT, [
    payment.id,
    payment.amount,
    payment.currency,
    payment.merchantReference,
    payment.customerReference,
    payment.paymentMethod,
    payment.description,
    JSON.stringify(payment.metadata),
    payment.createdAt,
    payment.lockedUntil,
    payment.requestId,
    payment.idempotencyScope,
    payment.idempotencyRequestHash,
    payment.traceContext,
  ]);
  if (inserted === 0) return null;
  return {
    ...payment,
    status: 'processing',
    failureCode: null,
    failureMessage: null,
    attemptCount: 0,
    nextAttemptAt: payment.createdAt,
    eventSequence: 0,
    processedAt: null,
    updatedAt: payment.createdAt,
    attempts: [],
    refunds: [],
  };
}

const FIND_BY_SCOPE = statement(
  'payments_find_by_scope',
  `SELECT ${PAYMENT_SELECT} FROM payments p WHERE p.idempotency_scope = $1`,
);

/** The payment created under this idempotency scope, if any (without its attempts). */
export async function findPaymentByIdempotencyScope(db: Sql, scope: string): Promise<Payment | null> {
  const [payment] = await db.query<Payment>(FIND_BY_SCOPE, [scope]);
  return payment ?? null;
}

/** The payment's attempts, oldest first, as one JSON array column: the Payment resource is read in one query. */
const ATTEMPTS_JSON = `(SELECT coalesce(json_agg(${jsonObject(ATTEMPT_COLUMNS, 'a')} ORDER BY a.attempt_number), '[]'::json)
                         FROM payment_attempts a WHERE a.payment_id = p.id) AS attempts`;

type PaymentRow = Payment & { attempts: unknown; refunds: unknown };

function withAttemptsFromJson(row: PaymentRow): PaymentWithAttempts {
  return {
    ...row,
    attempts: (row.attempts as Record<string, unknown>[]).map((attempt) =>
      fromJson<PaymentAttempt>(attempt, ['startedAt', 'finishedAt']),
    ),
    refunds: refundsFromJson(row.refunds),
  };
}

const FIND_PAYMENT = statement(
  'payments_find',
  `SELECT ${PAYMENT_SELECT}, ${ATTEMPTS_JSON}, ${REFUNDS_OF_PAYMENT_JSON} FROM payments p WHERE p.id = $1`,
);

/** The payment with its attempts and refunds, or null. */
export async function findPayment(db: Sql, id: string): Promise<PaymentWithAttempts | null> {
  const [payment] = await db.query<PaymentRow>(FIND_PAYMENT, [id]);
  return payment ? withAttemptsFromJson(payment) : null;
}

export interface PaymentListFilter {
  readonly merchantReference?: string;
  readonly customerReference?: string;
  readonly status?: PaymentStatus;
}

const FIND_CURSOR = statement('payments_cursor', `SELECT created_at AS "createdAt", id FROM payments WHERE id = $1`);

/** Where a page after payment `id` starts, if that payment exists. */
export async function findPaymentCursor(db: Sql, id: string): Promise<Cursor | null> {
  const [cursor] = await db.query<Cursor>(FIND_CURSOR, [id]);
  return cursor ?? null;
}

/** Newest first after `cursor` (see pageQuery): a deep page costs what the first one does. */
export async function listPayments(
  db: Sql,
  filter: PaymentListFilter,
  cursor: Cursor | null,
  limit: number,
): Promise<PaymentWithAttempts[]> {
  const page = pageQuery(
    'p',
    [
      ['merchant_reference', filter.merchantReference],
      ['customer_reference', filter.customerReference],
      ['status', filter.status],
    ],
    cursor,
    limit,
  );
  const payments = await db.query<PaymentRow>(
    statementFor(
      `payments_list_${page.shape}`,
      `SELECT ${PAYMENT_SELECT}, ${ATTEMPTS_JSON}, ${REFUNDS_OF_PAYMENT_JSON} FROM payments p ${page.where} ORDER BY p.created_at DESC, p.id DESC LIMIT ${page.limitParam}`,
    ),
    page.values,
  );
  return payments.map(withAttemptsFromJson);
}

/** A payment this worker holds a lease on (`locked_until` = `leaseUntil`): the row as claimed. */
export type PaymentLease = Payment & { readonly leaseUntil: Date };

const CLAIM_DUE = statement(
  'payments_claim_due',
  `UPDATE payments p SET locked_until = $2
    WHERE p.id IN (
      SELECT id FROM payments
       WHERE status = 'processing'
         AND next_attempt_at <= $1
         AND (locked_until IS NULL OR locked_until <= $1)
       ORDER BY next_attempt_at
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
   RETURNING ${PAYMENT_SELECT}, p.locked_until AS "leaseUntil"`,
);

/** Leases up to `limit` due `processing` payments to this process until `leaseUntil` (SKIP LOCKED: replicas never share one). */
export function claimDuePayments(db: Sql, now: Date, leaseUntil: Date, limit: number): Promise<PaymentLease[]> {
  return db.query<PaymentLease & Record<string, unknown>>(CLAIM_DUE, [now, leaseUntil, limit]);
}

const RELEASE = statement(
  'payments_release',
  `UPDATE payments SET locked_until = NULL WHERE id = $1 AND locked_until = $2`,
);

/** Gives the lease up (shutdown before the attempt was decided) so another instance takes the payment now. */
export async function releasePayment(db: Sql, lease: PaymentLease): Promise<void> {
  await db.execute(RELEASE, [lease.id, lease.leaseUntil]);
}

const RECORD_RETRY = statement(
  'payments_record_retry',
  `WITH retried AS (
     UPDATE payments SET attempt_count = $3, next_attempt_at = $4, locked_until = NULL, updated_at = $5
      WHERE id = $1 AND status = 'processing' AND locked_until = $2
     RETURNING id
   )
   INSERT INTO payment_attempts (id, payment_id, attempt_number, outcome, failure_code, failure_message, started_at, finished_at)
   SELECT $6, id, $3, $7, $8, $9, $10, $5 FROM retried`,
);

/**
 * A retryable attempt failed, in one statement: the attempt joins the ledger and the payment is due again at
 * `nextAttemptAt`. Only while this worker holds the lease; false when it was lost (nothing written).
 */
export async function recordRetry(
  db: Sql,
  lease: PaymentLease,
  attempt: PaymentAttempt,
  nextAttemptAt: Date,
): Promise<boolean> {
  const inserted = await db.execute(RECORD_RETRY, [
    lease.id,
    lease.leaseUntil,
    attempt.attemptNumber,
    nextAttemptAt,
    attempt.finishedAt,
    attempt.id,
    attempt.outcome,
    attempt.failureCode,
    attempt.failureMessage,
    attempt.startedAt,
  ]);
  return inserted === 1;
}

/** A delivery written with the settlement, leased to this process when `deliveryLeaseUntil` was given. */
export interface SettlementDelivery {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
}

const RECORD_SETTLEMENT = statement(
  'payments_record_settlement',
  `WITH settled AS (
     UPDATE payments
        SET attempt_count = $3, status = $4, failure_code = $5, failure_message = $6, processed_at = $7, next_attempt_at = NULL,
            locked_until = NULL, event_sequence = $8, updated_at = $7
      WHERE id = $1 AND status = 'processing' AND locked_until = $2
     RETURNING id, request_id
   ), attempt AS (
     INSERT INTO payment_attempts (id, payment_id, attempt_number, outcome, failure_code, failure_message, started_at, finished_at)
     SELECT $9, id, $3, $10, $5, $6, $11, $7 FROM settled
   ), event AS (
     INSERT INTO events (id, type, payment_id, sequence, body, request_id, trace_context, created_at)
     SELECT $12, $13, id, $8, $14, request_id, $16, $7 FROM settled
     RETURNING id
   ), delivery AS (
     INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, attempt_count, retry_index, next_attempt_at, locked_until, created_at, updated_at)
     SELECT gen_random_uuid(), event.id, e.id, 'pending', 0, 0, $7, $15, $7, $7 FROM event CROSS JOIN webhook_endpoints e WHERE e.enabled
     RETURNING id, endpoint_id
   )
   SELECT (SELECT count(*)::int FROM settled) AS recorded,
          (SELECT coalesce(json_agg(json_build_object('id', d.id, 'url', w.url, 'secret', w.secret) ORDER BY d.id), '[]'::json)
             FROM delivery d JOIN webhook_endpoints w ON w.id = d.endpoint_id) AS deliveries`,
);

/**
 * The payment's terminal outcome and everything it causes, in ONE statement (so one commit, no transaction
 * round trips): the payment settled, the attempt in the ledger, the event with its exact body, and one
 * pending delivery of it per enabled webhook endpoint (leased until `deliveryLeaseUntil` when given); the event
 * keeps `traceContext` (the processing's), which its deliveries continue. Only
 * while this worker holds the payment's lease; null when it was lost (nothing written). The settled
 * payment is `settled` (the caller computed it, the event body shows it).
 */
export async function recordSettlement(
  db: Sql,
  lease: PaymentLease,
  settled: Payment,
  attempt: PaymentAttempt,
  event: PaymentEvent,
  deliveryLeaseUntil: Date | null,
  traceContext: string | null,
): Promise<SettlementDelivery[] | null> {
  const [row] = await db.query<{ recorded: number; deliveries: SettlementDelivery[] }>(RECORD_SETTLEMENT, [
    lease.id,
    lease.leaseUntil,
    settled.attemptCount,
    settled.status,
    settled.failureCode,
    settled.failureMessage,
    settled.processedAt,
    settled.eventSequence,
    attempt.id,
    attempt.outcome,
    attempt.startedAt,
    event.id,
    event.type,
    event.body,
    deliveryLeaseUntil,
    traceContext,
  ]);
  return row.recorded === 1 ? row.deliveries : null;
}

const ATTEMPTS_OF_PAYMENT = statement(
  'payment_attempts_of_payment',
  `SELECT ${selectList(ATTEMPT_COLUMNS, 'a')} FROM payment_attempts a WHERE a.payment_id = $1 ORDER BY a.attempt_number`,
);

/** The payment's attempts so far, oldest first. */
export function attemptsOf(db: Sql, paymentId: string): Promise<PaymentAttempt[]> {
  return db.query<PaymentAttempt & Record<string, unknown>>(ATTEMPTS_OF_PAYMENT, [paymentId]);
}
