import { Injectable } from '@nestjs/common';
import { PaymentAnomaly } from '../generated/prisma/client';
import { Database } from '../platform/database/database';
import { cursorAfter, ListPage, PaginationQuery, toPage } from '../platform/http/pagination';
import { PaymentAnomalyResponse } from './dto/payment-anomaly.response';
import { findPaymentAnomalyCursor, listPaymentAnomalies } from './payment-anomaly.repository';

/** Payment events that settled nothing because they did not match their obligation (see settleInvoicePayment). */
@Injectable()
export class PaymentAnomaliesService {
  constructor(private readonly db: Database) {}

  /** Newest first; an unknown `startingAfter` is a 400 `invalid_cursor`. */
  async list(query: PaginationQuery): Promise<ListPage<PaymentAnomalyResponse>> {
    const cursor = await cursorAfter(query.startingAfter, (id) => findPaymentAnomalyCursor(this.db, id));
    const rows = await listPaymentAnomalies(this.db, cursor, query.limit + 1);
    return toPage(rows, query.limit, toPaymentAnomalyResponse);
  }
}

function toPaymentAnomalyResponse(anomaly: PaymentAnomaly): PaymentAnomalyResponse {
  return {
    id: anomaly.id,
    object: 'payment_anomaly',
    kind: anomaly.kind,
    invoicePaymentId: anomaly.invoicePaymentId,
    gatewayPaymentId: anomaly.gatewayPaymentId,
    eventType: anomaly.eventType,
    expected: anomaly.expected as Record<string, unknown>,
    received: anomaly.received as Record<string, unknown>,
    causeType: anomaly.causeType,
    causeId: anomaly.causeId,
    createdAt: anomaly.createdAt.toISOString(),
  };
}
