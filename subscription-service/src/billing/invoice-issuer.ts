import { InvoiceKind, Plan, Prisma } from '../generated/prisma/client';
import { Tx } from '../platform/database/prisma.service';
import { InvoiceWithPayments } from '../invoices/invoice.mapper';

export const PAYMENT_INITIATE_TOPIC = 'payment.initiate';

/** What the outbox worker needs to ask the payment service for money (docs/contracts.md). */
export interface PaymentInitiatePayload {
  readonly invoicePaymentId: string;
  readonly invoiceId: string;
  readonly subscriptionId: string;
  readonly userId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paymentMethod: string;
  readonly description: string;
}

export interface InvoiceToIssue {
  readonly subscriptionId: string;
  readonly userId: string;
  readonly plan: Pick<Plan, 'id' | 'currency'>;
  readonly kind: InvoiceKind;
  readonly amount: number;
  readonly periodStart: Date;
  readonly periodEnd: Date;
  readonly description: string;
  readonly lines: readonly object[];
  readonly paymentMethod: string;
}

/**
 * Writes an open invoice, its pending payment and the `payment.initiate` outbox message in the
 * caller's transaction: the charge is requested only if the invoice exists, and always once it does.
 */
export async function issueInvoice(tx: Tx, invoice: InvoiceToIssue, requestId: string, now: Date): Promise<InvoiceWithPayments> {
  const created = await tx.invoice.create({
    data: {
      subscriptionId: invoice.subscriptionId,
      userId: invoice.userId,
      planId: invoice.plan.id,
      kind: invoice.kind,
      status: 'open',
      amount: invoice.amount,
      currency: invoice.plan.currency,
      periodStart: invoice.periodStart,
      periodEnd: invoice.periodEnd,
      description: invoice.description,
      lines: invoice.lines as Prisma.InputJsonValue,
      createdAt: now,
      updatedAt: now,
      payments: {
        create: { paymentMethod: invoice.paymentMethod, status: 'pending', requestId, createdAt: now, updatedAt: now },
      },
    },
    include: { payments: true },
  });
  const payment = created.payments[0];
  const payload: PaymentInitiatePayload = {
    invoicePaymentId: payment.id,
    invoiceId: created.id,
    subscriptionId: invoice.subscriptionId,
    userId: invoice.userId,
    amount: created.amount,
    currency: created.currency,
    paymentMethod: payment.paymentMethod,
    description: created.description,
  };
  await tx.outboxMessage.create({
    data: {
      topic: PAYMENT_INITIATE_TOPIC,
      aggregateId: payment.id,
      payload: payload as unknown as Prisma.InputJsonValue,
      status: 'pending',
      nextAttemptAt: now,
      requestId,
      createdAt: now,
    },
  });
  return created;
}
