import { Invoice, InvoiceKind, Plan, Prisma } from '../generated/prisma/client';
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

/**
 * When something happens to a subscription: `billing` is its billing time (system time plus its
 * test-clock offset; stamped on invoices, payments and history), `system` the service clock (the
 * outbox worker schedules on it).
 */
export interface BillingMoment {
  readonly billing: Date;
  readonly system: Date;
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
  /** Renewal invoices only (unique: one renewal per subscription and period). */
  readonly renewalKey?: string;
}

/**
 * Writes an open invoice, its pending payment and the `payment.initiate` outbox message in the
 * caller's transaction: the charge is requested only if the invoice exists, and always once it does.
 */
export async function issueInvoice(tx: Tx, invoice: InvoiceToIssue, requestId: string | null, at: BillingMoment): Promise<InvoiceWithPayments> {
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
      renewalKey: invoice.renewalKey ?? null,
      createdAt: at.billing,
      updatedAt: at.billing,
    },
  });
  const payment = await requestInvoicePayment(tx, created, invoice.paymentMethod, requestId, at);
  return { ...created, payments: [payment] };
}

/**
 * A new payment attempt on an open invoice (first attempt, dunning retry or pay-again with another
 * method): the invoice payment row and its `payment.initiate` outbox message, in the caller's transaction.
 */
export async function requestInvoicePayment(
  tx: Tx,
  invoice: Invoice,
  paymentMethod: string,
  requestId: string | null,
  at: BillingMoment,
): Promise<InvoiceWithPayments['payments'][number]> {
  const payment = await tx.invoicePayment.create({
    data: { invoiceId: invoice.id, paymentMethod, status: 'pending', requestId, createdAt: at.billing, updatedAt: at.billing },
  });
  const payload: PaymentInitiatePayload = {
    invoicePaymentId: payment.id,
    invoiceId: invoice.id,
    subscriptionId: invoice.subscriptionId,
    userId: invoice.userId,
    amount: invoice.amount,
    currency: invoice.currency,
    paymentMethod,
    description: invoice.description,
  };
  await tx.outboxMessage.create({
    data: {
      topic: PAYMENT_INITIATE_TOPIC,
      aggregateId: payment.id,
      payload: payload as unknown as Prisma.InputJsonValue,
      status: 'pending',
      nextAttemptAt: at.system,
      requestId,
      createdAt: at.system,
    },
  });
  return payment;
}
