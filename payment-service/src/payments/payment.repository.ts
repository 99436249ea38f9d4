import { Payment, PaymentAttempt, PaymentStatus } from '../generated/prisma/client';
import { ColumnMap, selectList } from '../platform/database/columns';
import { Sql, statement, statementFor } from '../platform/database/database';
import { Cursor, pageQuery } from '../platform/database/pages';
import { PaymentWithAttempts } from './payment.resource';

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
  | 'idempotencyScope'
  | 'idempotencyRequestHash'
  | 'lockedUntil'
  | 'createdAt'
>;

const INSERT_PAYMENT = statement(
  'payments_insert',
  `INSERT INTO payments (id, amount, currency, merchant_reference, customer_reference, payment_method, description, metadata, status,
                         attempt_count, next_attempt_at, locked_until, request_id, idempotency_scope, idempotency_request_hash,
                         event_sequence, created_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'processing', 0, $9, $10, $11, $12, $13, 0, $9, $9)
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
  };
}

const FIND_BY_SCOPE = statement('payments_find_by_scope', `SELECT ${PAYMENT_SELECT} FROM payments p WHERE p.idempotency_scope = $1`);

/** The payment created under this idempotency scope, if any (without its attempts). */
export async function findPaymentByIdempotencyScope(db: Sql, scope: string): Promise<Payment | null> {
  const [payment] = await db.query<Payment>(FIND_BY_SCOPE, [scope]);
  return payment ?? null;
}

const FIND_PAYMENT = statement('payments_find', `SELECT ${PAYMENT_SELECT} FROM payments p WHERE p.id = $1`);

/** The payment with its attempts, or null. */
export async function findPayment(db: Sql, id: string): Promise<PaymentWithAttempts | null> {
  const [payment] = await db.query<Payment>(FIND_PAYMENT, [id]);
  return payment ? (await withAttempts(db, [payment]))[0] : null;
}

const ATTEMPTS_OF = statement(
  'payment_attempts_of_payments',
  `SELECT ${selectList(ATTEMPT_COLUMNS, 'a')} FROM payment_attempts a WHERE a.payment_id = ANY($1::uuid[]) ORDER BY a.attempt_number`,
);

/** Attaches each payment's attempts, oldest first (one query for all of them). */
export async function withAttempts(db: Sql, payments: readonly Payment[]): Promise<PaymentWithAttempts[]> {
  if (payments.length === 0) return [];
  const attempts = await db.query<PaymentAttempt>(ATTEMPTS_OF, [payments.map((payment) => payment.id)]);
  return payments.map((payment) => ({ ...payment, attempts: attempts.filter((attempt) => attempt.paymentId === payment.id) }));
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
export async function listPayments(db: Sql, filter: PaymentListFilter, cursor: Cursor | null, limit: number): Promise<PaymentWithAttempts[]> {
  const page = pageQuery('p', [
    ['merchant_reference', filter.merchantReference],
    ['customer_reference', filter.customerReference],
    ['status', filter.status],
  ], cursor, limit);
  const payments = await db.query<Payment>(
    statementFor(`payments_list_${page.shape}`, `SELECT ${PAYMENT_SELECT} FROM payments p ${page.where} ORDER BY p.created_at DESC, p.id DESC LIMIT ${page.limitParam}`),
    page.values,
  );
  return withAttempts(db, payments);
}

/** A payment this worker holds a lease on (`locked_until`), with what an attempt needs. */
export interface PaymentLease {
  readonly id: string;
  readonly paymentMethod: string;
  /** Attempts recorded before this one. */
  readonly attemptCount: number;
  readonly leaseUntil: Date;
}

const CLAIM_DUE = statement(
  'payments_claim_due',
  `UPDATE payments SET locked_until = $2
    WHERE id IN (
      SELECT id FROM payments
       WHERE status = 'processing'
         AND next_attempt_at <= $1
         AND (locked_until IS NULL OR locked_until <= $1)
       ORDER BY next_attempt_at
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
   RETURNING id, payment_method AS "paymentMethod", attempt_count AS "attemptCount", locked_until AS "leaseUntil"`,
);

/** Leases up to `limit` due `processing` payments to this process until `leaseUntil` (SKIP LOCKED: replicas never share one). */
export function claimDuePayments(db: Sql, now: Date, leaseUntil: Date, limit: number): Promise<PaymentLease[]> {
  return db.query<PaymentLease & Record<string, unknown>>(CLAIM_DUE, [now, leaseUntil, limit]);
}

const RELEASE = statement('payments_release', `UPDATE payments SET locked_until = NULL WHERE id = $1 AND locked_until = $2`);

/** Gives the lease up (shutdown before the attempt was decided) so another instance takes the payment now. */
export async function releasePayment(db: Sql, lease: PaymentLease): Promise<void> {
  await db.execute(RELEASE, [lease.id, lease.leaseUntil]);
}

const RECORD_RETRY = statement(
  'payments_record_retry',
  `UPDATE payments SET attempt_count = $3, next_attempt_at = $4, locked_until = NULL, updated_at = $5
    WHERE id = $1 AND status = 'processing' AND locked_until = $2`,
);

/** A retryable attempt failed: due again at `nextAttemptAt`. False when the lease was lost (nothing written). */
export async function recordRetry(db: Sql, lease: PaymentLease, attemptNumber: number, nextAttemptAt: Date, now: Date): Promise<boolean> {
  return (await db.execute(RECORD_RETRY, [lease.id, lease.leaseUntil, attemptNumber, nextAttemptAt, now])) === 1;
}

const RECORD_OUTCOME = statement(
  'payments_record_outcome',
  `UPDATE payments p
      SET attempt_count = $3, status = $4, failure_code = $5, failure_message = $6, processed_at = $7, next_attempt_at = NULL,
          locked_until = NULL, event_sequence = event_sequence + 1, updated_at = $7
    WHERE p.id = $1 AND p.status = 'processing' AND p.locked_until = $2
   RETURNING ${PAYMENT_SELECT}`,
);

/** The payment's terminal outcome; returns the payment as written, or null when the lease was lost (nothing written). */
export async function recordOutcome(
  db: Sql,
  lease: PaymentLease,
  outcome: { attemptNumber: number; status: 'succeeded' | 'failed'; failureCode: string | null; failureMessage: string | null; at: Date },
): Promise<Payment | null> {
  const [payment] = await db.query<Payment>(RECORD_OUTCOME, [
    lease.id,
    lease.leaseUntil,
    outcome.attemptNumber,
    outcome.status,
    outcome.failureCode,
    outcome.failureMessage,
    outcome.at,
  ]);
  return payment ?? null;
}

const INSERT_ATTEMPT = statement(
  'payment_attempts_insert',
  `INSERT INTO payment_attempts (id, payment_id, attempt_number, outcome, failure_code, failure_message, started_at, finished_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
);

/** Appends one attempt to the payment-attempt ledger. */
export async function insertAttempt(db: Sql, attempt: PaymentAttempt): Promise<void> {
  await db.execute(INSERT_ATTEMPT, [
    attempt.id,
    attempt.paymentId,
    attempt.attemptNumber,
    attempt.outcome,
    attempt.failureCode,
    attempt.failureMessage,
    attempt.startedAt,
    attempt.finishedAt,
  ]);
}
