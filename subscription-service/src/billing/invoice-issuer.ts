import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  Invoice,
  InvoiceKind,
  InvoicePayment,
  InvoicePaymentInitiator,
  Plan,
  Subscription,
} from '../generated/prisma/client';
import {
  countInvoicePayments,
  IN_FLIGHT_PAYMENT_STATUSES,
  InvoiceWithPayments,
  moveInvoice,
} from '../invoices/persistence/invoice.repository';
import {
  CHARGES_TO_SEND,
  PaymentInitiatePayload,
  WrittenCharge,
} from '../payments-outbox/messages/payment-initiate.message';
import { SqlTransaction } from '../platform/database/database';
import { countAfterCommit } from '../platform/metrics/metrics-registry';
import { currentTraceContext } from '../platform/tracing/trace-context';
import { WorkSignal } from '../platform/workers/work-signal';
import { BILLING_METRICS } from './billing.metrics';
import { ChargeMessage, insertCharge, insertInvoiceWithCharge } from './charge.repository';
import { BillingMoment } from './domain/billing-time';
import { PayNowDecision, payNowDecision } from './domain/pay-now';

/** Why a customer's payment attempt was not started (see payNowDecision). */
export type PayNowRefusal = Extract<PayNowDecision, { kind: 'refuse' }>;

export function isPayNowRefusal(attempt: InvoicePayment | PayNowRefusal): attempt is PayNowRefusal {
  return 'kind' in attempt && attempt.kind === 'refuse';
}

export interface InvoiceToIssue {
  readonly subscriptionId: string;
  readonly userId: string;
  readonly plan: Pick<Plan, 'id' | 'currency'>;
  readonly kind: InvoiceKind;
  /** Minor units of the plan's currency. */
  readonly amount: number;
  readonly periodStart: Date;
  readonly periodEnd: Date;
  readonly description: string;
  readonly lines: readonly object[];
  readonly paymentMethod: string;
  /** Who asks for the first payment: `billing` for a renewal, `customer` for what a request of theirs bills (subscribe, plan change). */
  readonly initiatedBy: InvoicePaymentInitiator;
  /** Renewal invoices only (unique: one renewal per subscription and period). */
  readonly renewalKey?: string;
}

/** Issues invoices and asks for their payment, always together with the outbox message that charges them. */
@Injectable()
export class InvoiceIssuer {
  constructor(private readonly signal: WorkSignal) {}

  /**
   * Writes an open invoice, its pending payment and the `payment.initiate` outbox message in the
   * caller's transaction, in one statement: the charge is requested only if the invoice exists, and always
   * once it does.
   */
  async issue(
    tx: SqlTransaction,
    invoice: InvoiceToIssue,
    requestId: string | null,
    at: BillingMoment,
  ): Promise<InvoiceWithPayments> {
    const created: Invoice = {
      id: randomUUID(),
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
      lines: invoice.lines as Invoice['lines'],
      paidAt: null,
      failedAt: null,
      failureCode: null,
      renewalKey: invoice.renewalKey ?? null,
      createdAt: at.billing,
      updatedAt: at.billing,
    };
    const payment = this.newPayment(created, invoice.paymentMethod, invoice.initiatedBy, requestId, at);
    await insertInvoiceWithCharge(tx, created, payment, this.chargeMessage(tx, created, payment, at));
    countAfterCommit(tx, BILLING_METRICS.invoicesIssued, { kind: created.kind });
    return { ...created, payments: [payment], refunds: [] };
  }

  /**
   * A new payment attempt on an open invoice (dunning retry: `billing`; pay now, pay again or the retry after a
   * payment-method update: `customer`): the invoice payment row and its `payment.initiate` outbox message, in
   * the caller's transaction, in one statement. The caller holds the subscription's lock and has checked that
   * no other attempt on the invoice is in flight.
   */
  async requestPayment(
    tx: SqlTransaction,
    invoice: Invoice,
    paymentMethod: string,
    initiatedBy: InvoicePaymentInitiator,
    requestId: string | null,
    at: BillingMoment,
  ): Promise<InvoicePayment> {
    const payment = this.newPayment(invoice, paymentMethod, initiatedBy, requestId, at);
    await insertCharge(tx, payment, this.chargeMessage(tx, invoice, payment, at));
    return payment;
  }

  /**
   * A customer's payment attempt on `invoice` now, if payNowDecision allows it: the failed initial invoice of
   * an incomplete subscription is reopened, then a `customer` invoice payment and its outbox message are
   * written (requestPayment), in the caller's transaction. The caller holds `subscription`'s lock
   * (lockSubscription) and read `invoice` after taking it, so no other attempt (a dunning retry, another
   * pay now) can start on the invoice meanwhile. Returns the new payment, or the refusal; nothing is written then.
   */
  async attemptCustomerPayment(
    tx: SqlTransaction,
    subscription: Pick<Subscription, 'status' | 'incompleteExpiresAt'>,
    invoice: Invoice,
    paymentMethod: string,
    requestId: string | null,
    at: BillingMoment,
  ): Promise<InvoicePayment | PayNowRefusal> {
    const inFlight = await countInvoicePayments(tx, invoice.id, IN_FLIGHT_PAYMENT_STATUSES);
    const decision = payNowDecision(invoice, subscription, inFlight, at.billing);
    if (decision.kind === 'refuse') return decision;
    let payable = invoice;
    if (decision.reopen) {
      await moveInvoice(tx, invoice, 'open', { failedAt: null, failureCode: null }, at.billing);
      payable = { ...invoice, status: 'open', failedAt: null, failureCode: null, updatedAt: at.billing };
    }
    return this.requestPayment(tx, payable, paymentMethod, 'customer', requestId, at);
  }

  private newPayment(
    invoice: Invoice,
    paymentMethod: string,
    initiatedBy: InvoicePaymentInitiator,
    requestId: string | null,
    at: BillingMoment,
  ): InvoicePayment {
    return {
      id: randomUUID(),
      invoiceId: invoice.id,
      paymentMethod,
      status: 'pending',
      gatewayPaymentId: null,
      lastEventSequence: null,
      failureCode: null,
      failureMessage: null,
      requestId,
      initiatedBy,
      createdAt: at.billing,
      updatedAt: at.billing,
    };
  }

  private chargeMessage(
    tx: SqlTransaction,
    invoice: Invoice,
    payment: InvoicePayment,
    at: BillingMoment,
  ): ChargeMessage {
    const payload: PaymentInitiatePayload = {
      invoicePaymentId: payment.id,
      invoiceId: invoice.id,
      subscriptionId: invoice.subscriptionId,
      userId: invoice.userId,
      amount: invoice.amount,
      currency: invoice.currency,
      paymentMethod: payment.paymentMethod,
      description: invoice.description,
    };
    const charge = { id: randomUUID(), payload, requestId: payment.requestId, traceContext: currentTraceContext() };
    return this.reserveCharge(tx, charge, at.system);
  }

  /**
   * The message for `charge`, reserved on the WorkSignal (CHARGES_TO_SEND): leased to this process's outbox worker
   * when a send slot is free (`leaseUntil` set; handed over, and sent, as soon as `tx` commits; the slot freed on a
   * rollback), or unleased, for polling.
   */
  private reserveCharge(tx: SqlTransaction, charge: Omit<WrittenCharge, 'leaseUntil'>, now: Date): ChargeMessage {
    const reservation = this.signal.reserve(CHARGES_TO_SEND, now);
    if (!reservation) return { ...charge, now, leaseUntil: null };
    const { leaseUntil } = reservation;
    // Ends the reservation exactly once (onFinish runs once), so `committed` never rejects.
    tx.onFinish((committed) => void reservation.committed(committed ? { ...charge, leaseUntil } : null));
    return { ...charge, now, leaseUntil };
  }
}
