import { InvoicePayment, InvoiceRefund } from '../generated/prisma/client';
import { InvoiceLineResponse, InvoicePaymentResponse, InvoiceRefundResponse, InvoiceResponse } from './dto/invoice.dto';
import { InvoiceWithPayments } from './persistence/invoice.repository';

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
    amountRefunded: invoice.refunds.reduce(
      (sum, refund) => sum + (refund.status === 'succeeded' ? refund.amount : 0),
      0,
    ),
    refunds: invoice.refunds.map(toInvoiceRefundResponse),
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

export function toInvoiceRefundResponse(refund: InvoiceRefund): InvoiceRefundResponse {
  return {
    id: refund.id,
    object: 'invoice_refund',
    invoicePaymentId: refund.invoicePaymentId,
    amount: refund.amount,
    currency: refund.currency,
    reason: refund.reason,
    explanation: refund.explanation,
    status: refund.status,
    gatewayRefundId: refund.gatewayRefundId,
    failureCode: refund.failureCode,
    createdAt: refund.createdAt.toISOString(),
    updatedAt: refund.updatedAt.toISOString(),
  };
}
