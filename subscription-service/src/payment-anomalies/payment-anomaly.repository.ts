import { randomUUID } from 'node:crypto';
import { PaymentAnomaly } from '../generated/prisma/client';
import { ColumnMap, selectList } from '../platform/database/columns';
import { Cursor, pageQuery } from '../platform/database/pages';
import { Sql, statement, statementFor } from '../platform/database/database';

export const PAYMENT_ANOMALY_COLUMNS: ColumnMap<PaymentAnomaly> = {
  id: 'id',
  kind: 'kind',
  invoicePaymentId: 'invoice_payment_id',
  gatewayPaymentId: 'gateway_payment_id',
  eventType: 'event_type',
  expected: 'expected',
  received: 'received',
  causeType: 'cause_type',
  causeId: 'cause_id',
  createdAt: 'created_at',
};
const SELECT = selectList(PAYMENT_ANOMALY_COLUMNS, 'a');

const INSERT = statement(
  'payment_anomalies_insert',
  `INSERT INTO payment_anomalies (id, kind, invoice_payment_id, gateway_payment_id, event_type, expected, received, cause_type, cause_id, created_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
);

/** Records one anomaly in the caller's transaction (with the inbound event that caused it). */
export async function insertPaymentAnomaly(db: Sql, anomaly: Omit<PaymentAnomaly, 'id'>): Promise<PaymentAnomaly> {
  const row: PaymentAnomaly = { id: randomUUID(), ...anomaly };
  await db.execute(INSERT, [
    row.id,
    row.kind,
    row.invoicePaymentId,
    row.gatewayPaymentId,
    row.eventType,
    JSON.stringify(row.expected),
    JSON.stringify(row.received),
    row.causeType,
    row.causeId,
    row.createdAt,
  ]);
  return row;
}

const FIND_CURSOR = statement(
  'payment_anomalies_cursor',
  `SELECT a.created_at AS "createdAt", a.id FROM payment_anomalies a WHERE a.id = $1`,
);

/** Where a page after anomaly `id` starts, if it exists. */
export async function findPaymentAnomalyCursor(db: Sql, id: string): Promise<Cursor | null> {
  const [cursor] = await db.query<Cursor>(FIND_CURSOR, [id]);
  return cursor ?? null;
}

/** Newest first after `cursor` (see pageQuery). */
export async function listPaymentAnomalies(db: Sql, cursor: Cursor | null, limit: number): Promise<PaymentAnomaly[]> {
  const page = pageQuery('a', [], cursor, limit);
  return db.query<PaymentAnomaly>(
    statementFor(
      `payment_anomalies_list_${page.shape}`,
      `SELECT ${SELECT} FROM payment_anomalies a ${page.where} ORDER BY a.created_at DESC, a.id DESC LIMIT ${page.limitParam}`,
    ),
    page.values,
  );
}

const COUNT_SINCE = statement(
  'payment_anomalies_count_since',
  // A range scan of the (created_at, id) index.
  'SELECT count(*)::int AS count FROM payment_anomalies WHERE created_at > $1',
);

/** Anomalies recorded after `since`. */
export async function countPaymentAnomaliesSince(db: Sql, since: Date): Promise<number> {
  const [row] = await db.query<{ count: number }>(COUNT_SINCE, [since]);
  return row.count;
}
