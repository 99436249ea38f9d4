import { Invoice, InvoicePayment } from '../generated/prisma/client';
import { InvoiceLineResponse, InvoicePaymentResponse, InvoiceResponse } from './dto/invoice.dto';

/** An invoice with its payments, oldest first. */
export type InvoiceWithPayments = Invoice & { payments: InvoicePayment[] };


export function toInvoiceResponse(invoice: InvoiceWithPayments): InvoiceResponse {
  return {
    id: invoice.id,
    object: 'invoice',
    subscriptionId: invoice.subscriptionId,
    userId: invoice.userId,
    planId: invoice.planId,
    kind: invoice.kind,
    status: invoice.status,
    amount: invoice.amount,
    currency: invoice.currency,
    periodStart: invoice.periodStart.toISOString(),
    periodEnd: invoice.periodEnd.toISOString(),
    description: invoice.description,
    lines: invoice.lines as unknown as InvoiceLineResponse[],
    paidAt: invoice.paidAt?.toISOString() ?? null,
    failedAt: invoice.failedAt?.toISOString() ?? null,
    failureCode: invoice.failureCode,
    payments: invoice.payments.map(toInvoicePaymentResponse),
    createdAt: invoice.createdAt.toISOString(),
    updatedAt: invoice.updatedAt.toISOString(),
  };
}

export function toInvoicePaymentResponse(payment: InvoicePayment): InvoicePaymentResponse {
  return {
    id: payment.id,
    object: 'invoice_payment',
    paymentMethod: payment.paymentMethod,
    status: payment.status,
    gatewayPaymentId: payment.gatewayPaymentId,
    failureCode: payment.failureCode,
    failureMessage: payment.failureMessage,
    initiatedBy: payment.initiatedBy,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
  };
}
