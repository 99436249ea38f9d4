import { InvoiceRefund } from '../../generated/prisma/client';
import { ColumnMap, fromJson, jsonObject, selectList, setClause } from '../../platform/database/columns';
import { Sql, statement, statementFor } from '../../platform/database/database';

export const INVOICE_REFUND_COLUMNS: ColumnMap<InvoiceRefund> = {
  id: 'id',
  invoiceId: 'invoice_id',
  invoicePaymentId: 'invoice_payment_id',
  gatewayPaymentId: 'gateway_payment_id',
  amount: 'amount',
  currency: 'currency',
  reason: 'reason',
  explanation: 'explanation',
  status: 'status',
  gatewayRefundId: 'gateway_refund_id',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  requestId: 'request_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const REFUND_SELECT = selectList(INVOICE_REFUND_COLUMNS, 'r');
const LOCK_REFUND_BY_ID = statement(
  'invoice_refunds_lock',
  `SELECT ${REFUND_SELECT} FROM invoice_refunds r WHERE r.id = $1 FOR UPDATE`,
);
const LOCK_REFUND_BY_GATEWAY_ID = statement(
  'invoice_refunds_lock_by_gateway_id',
  `SELECT ${REFUND_SELECT} FROM invoice_refunds r WHERE r.gateway_refund_id = $1 FOR UPDATE`,
);

/** The refund with our id, or the one the gateway knows by its refund id, locked until the transaction ends. */
export async function lockInvoiceRefund(
  db: Sql,
  by: { id: string } | { gatewayRefundId: string },
): Promise<InvoiceRefund | null> {
  const [refund] =
    'id' in by
      ? await db.query<InvoiceRefund>(LOCK_REFUND_BY_ID, [by.id])
      : await db.query<InvoiceRefund>(LOCK_REFUND_BY_GATEWAY_ID, [by.gatewayRefundId]);
  return refund ?? null;
}

/** Sets the given fields and `updated_at` of a refund. */
export async function updateInvoiceRefund(
  db: Sql,
  id: string,
  changes: Partial<Pick<InvoiceRefund, 'status' | 'gatewayRefundId' | 'failureCode' | 'failureMessage'>>,
  now: Date,
): Promise<void> {
  const { clause, values, shape } = setClause(INVOICE_REFUND_COLUMNS, changes, 3);
  await db.execute(
    statementFor(
      `invoice_refunds_update_${shape}`,
      `UPDATE invoice_refunds SET ${clause ? `${clause}, ` : ''}updated_at = $2 WHERE id = $1`,
    ),
    [id, now, ...values],
  );
}

/** The refunds of the invoice aliased `invoiceAlias`, oldest first, as one JSON array column (see paymentsJsonOf). */
export function refundsJsonOf(invoiceAlias: string): string {
  return `(SELECT coalesce(json_agg(${jsonObject(INVOICE_REFUND_COLUMNS, 'r')} ORDER BY r.created_at, r.id), '[]'::json)
             FROM invoice_refunds r WHERE r.invoice_id = ${invoiceAlias}.id)`;
}

/** The refunds of `refundsJsonOf`, typed again. */
export function refundsFromJson(json: unknown): InvoiceRefund[] {
  return (json as Record<string, unknown>[]).map((refund) =>
    fromJson<InvoiceRefund>(refund, ['createdAt', 'updatedAt']),
  );
}
