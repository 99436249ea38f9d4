import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Invoice, Subscription } from '../generated/prisma/client';
import {
  countInvoicePaymentsBy,
  InvoicePaymentWithInvoice,
  lockInvoicePayment,
  moveInvoice,
  moveInvoicePayment,
  updateInvoice,
  updateInvoicePayment,
} from '../invoices/persistence/invoice.repository';
import { insertPaymentAnomaly } from '../payment-anomalies/payment-anomaly.repository';
import { findPlan } from '../plans/plan.repository';
import { Sql, SqlTransaction } from '../platform/database/database';
import { countAfterCommit } from '../platform/metrics/metrics-registry';
import {
  lockSubscriptionWithInvoice,
  updateSubscriptionVersioned,
} from '../subscriptions/persistence/subscription.repository';
import { BILLING_METRICS } from './billing.metrics';
import { billingTime } from './domain/billing-time';
import { CapturedMoneyDisposition, dispositionOfCapturedMoney } from './domain/captured-money';
import { nextDunningStep } from './domain/dunning';
import { obligationMismatches, ReportedPayment } from './domain/settlement-match';
import { insertRefundWithMessage } from './refund-request.repository';
import { endSubscription, StatusChangeCause, transitionSubscription } from './subscription-transitions';

/** What a payment report (webhook, reconciliation lookup, the outbox's rejected request) says happened to a charge. */
export type PaymentOutcome =
  | { readonly kind: 'succeeded'; readonly gateway: ReportedPayment }
  /** `gateway` is null when the payment service refused the request itself (nothing was created to compare). */
  | {
      readonly kind: 'failed';
      readonly code: string;
      readonly message: string | null;
      readonly gateway: ReportedPayment | null;
    };

/** Who reports the outcome. */
export interface SettlementSource {
  readonly causeType: Exclude<StatusChangeCause['causeType'], 'request'>;
  /** The webhook-id, the gateway payment id (reconciliation) or the outbox request id. */
  readonly causeId: string | null;
  /** `payment.succeeded`, `payment.failed`, `reconciliation.succeeded`, … (kept on an anomaly). */
  readonly eventType: string;
  /** The webhook's per-payment sequence: an event not newer than the last one applied is ignored; written with the outcome. */
  readonly sequence?: number;
}

export type SettlementResult =
  | 'invoice_paid'
  | 'invoice_failed'
  | 'renewal_retry_scheduled'
  | 'refund_requested'
  | 'customer_attempt_failed'
  | 'ignored_invoice_settled'
  | 'ignored_payment_settled'
  | 'ignored_stale'
  | 'ignored_unknown'
  | 'anomaly';

const logger = new Logger('Settlement');

/**
 * The one entry point that settles an invoice payment, for every source (webhook, reconciliation, the outbox's
 * rejected request), in the caller's transaction:
 * 1. locks the invoice payment (lock order: invoice_payments → subscriptions → invoices), then ignores an
 *    event older than the last one applied (`ignored_stale`) and an unknown payment (`ignored_unknown`);
 * 2. compares the report with the obligation (obligationMismatches): a mismatch settles nothing, is recorded
 *    as a payment anomaly and logged at error level (`anomaly`);
 * 3. applies the outcome: a success pays an open invoice and applies its effect, or revives a failed initial
 *    invoice, or refunds the money in full when nothing is owed (dispositionOfCapturedMoney); a failure runs
 *    dunning for the current renewal invoice (billing-initiated attempts only: a failed customer attempt leaves
 *    the schedule alone), or fails the invoice (dropping a pending upgrade).
 * `systemNow` is the service clock; rows are stamped with the subscription's billing time.
 */
export async function settleInvoicePayment(
  tx: SqlTransaction,
  invoicePaymentId: string,
  outcome: PaymentOutcome,
  source: SettlementSource,
  systemNow: Date,
  dunningScheduleMs: readonly number[],
): Promise<SettlementResult> {
  const payment = await lockInvoicePayment(tx, invoicePaymentId);
  if (!payment) return 'ignored_unknown';
  if (
    source.sequence !== undefined &&
    payment.lastEventSequence !== null &&
    source.sequence <= payment.lastEventSequence
  )
    return 'ignored_stale';
  if (outcome.gateway && (await recordedAsAnomaly(tx, payment, outcome.gateway, source, systemNow))) return 'anomaly';
  const bookkeeping: Bookkeeping = source.sequence === undefined ? {} : { lastEventSequence: source.sequence };

  if (outcome.kind === 'succeeded') {
    if (payment.status === 'succeeded') return settledAlready(tx, payment, bookkeeping, systemNow);
    return applySucceeded(tx, payment, outcome.gateway, source, systemNow, bookkeeping);
  }
  // Already failed (e.g. by reconciliation before the webhook): applying it again would count a second dunning failure.
  if (payment.status === 'succeeded' || payment.status === 'failed')
    return settledAlready(tx, payment, bookkeeping, systemNow);
  return applyFailed(tx, payment, outcome, source, systemNow, dunningScheduleMs, bookkeeping);
}

/** Written on the invoice payment with the outcome: the sequence of the webhook that reported it. */
type Bookkeeping = { lastEventSequence?: number };

async function applySucceeded(
  tx: SqlTransaction,
  payment: InvoicePaymentWithInvoice,
  gateway: ReportedPayment,
  source: SettlementSource,
  systemNow: Date,
  bookkeeping: Bookkeeping,
): Promise<SettlementResult> {
  // A cancel voids invoices only under the subscription's lock, which this takes: the invoice is read again with it.
  const { subscription, invoice } = await lockSubscriptionWithInvoiceOrThrow(tx, payment);
  const now = billingTime(systemNow, subscription.clockOffsetSeconds);
  await moveInvoicePayment(
    tx,
    payment,
    'succeeded',
    {
      ...bookkeeping,
      gatewayPaymentId: payment.gatewayPaymentId ?? gateway.id,
      failureCode: null,
      failureMessage: null,
    },
    now,
  );
  const disposition = dispositionOfCapturedMoney(invoice, subscription, now);
  if (disposition.kind === 'refund')
    return refundCapturedMoney(tx, payment, invoice, gateway, disposition, source, systemNow, now);

  await moveInvoice(tx, invoice, 'paid', { paidAt: now, failedAt: null, failureCode: null }, now);
  countAfterCommit(tx, BILLING_METRICS.invoicesPaid, { kind: invoice.kind });
  const cause = { causeType: source.causeType, causeId: source.causeId };
  switch (invoice.kind) {
    case 'initial':
      if (subscription.status === 'incomplete') {
        const reason = disposition.kind === 'revive' ? 'initial_payment_succeeded_late' : 'initial_payment_succeeded';
        await transitionSubscription(tx, subscription, 'active', { ...cause, reason }, now, {
          incompleteExpiresAt: null,
        });
      }
      break;
    case 'proration':
      if (subscription.pendingInvoiceId === invoice.id && subscription.pendingPlanId)
        await switchToPendingPlan(tx, subscription, invoice, now);
      break;
    case 'renewal':
      if (subscription.renewalInvoiceId === invoice.id)
        await advancePeriod(tx, subscription, invoice, { ...cause, reason: 'renewal_payment_succeeded' }, now);
      break;
  }
  return 'invoice_paid';
}

/**
 * Money captured with nothing owed (void or failed invoice, or one another payment already paid): a full refund
 * and its `refund.create` outbox message, in this transaction. The invoice keeps its status.
 */
async function refundCapturedMoney(
  tx: SqlTransaction,
  payment: InvoicePaymentWithInvoice,
  invoice: Invoice,
  gateway: ReportedPayment,
  disposition: Extract<CapturedMoneyDisposition, { kind: 'refund' }>,
  source: SettlementSource,
  systemNow: Date,
  now: Date,
): Promise<SettlementResult> {
  const refundId = randomUUID();
  await insertRefundWithMessage(
    tx,
    {
      id: refundId,
      invoiceId: invoice.id,
      invoicePaymentId: payment.id,
      gatewayPaymentId: gateway.id,
      // The report matched the obligation (checked above), so this is what the gateway captured.
      amount: invoice.amount,
      currency: invoice.currency,
      reason: disposition.reason,
      explanation: disposition.explanation,
      requestId: source.causeId,
      createdAt: now,
    },
    { id: randomUUID(), now: systemNow },
  );
  countAfterCommit(tx, BILLING_METRICS.refundsRequested, { explanation: disposition.explanation });
  logger.warn(
    {
      invoiceId: invoice.id,
      invoicePaymentId: payment.id,
      gatewayPaymentId: gateway.id,
      invoiceStatus: invoice.status,
      explanation: disposition.explanation,
      amount: invoice.amount,
    },
    'money captured with no obligation; refund requested',
  );
  return 'refund_requested';
}

async function applyFailed(
  tx: SqlTransaction,
  payment: InvoicePaymentWithInvoice,
  failure: Extract<PaymentOutcome, { kind: 'failed' }>,
  source: SettlementSource,
  systemNow: Date,
  dunningScheduleMs: readonly number[],
  bookkeeping: Bookkeeping,
): Promise<SettlementResult> {
  // Read again under the subscription's lock: a cancel that committed while we waited may have voided the invoice.
  const { subscription, invoice } = await lockSubscriptionWithInvoiceOrThrow(tx, payment);
  const now = billingTime(systemNow, subscription.clockOffsetSeconds);
  await moveInvoicePayment(
    tx,
    payment,
    'failed',
    {
      ...bookkeeping,
      gatewayPaymentId: payment.gatewayPaymentId ?? failure.gateway?.id ?? null,
      failureCode: failure.code,
      failureMessage: failure.message,
    },
    now,
  );
  if (invoice.status !== 'open') return 'ignored_invoice_settled';
  const cause = { causeType: source.causeType, causeId: source.causeId };

  if (invoice.kind === 'renewal' && subscription.renewalInvoiceId === invoice.id) {
    if (payment.initiatedBy === 'customer') {
      // The customer's own attempt (pay now, or the retry after a payment-method update) failed: the dunning
      // schedule is left alone (not counted, next retry neither moved nor cleared, never a cancellation).
      await updateInvoice(tx, invoice.id, { failureCode: failure.code }, now);
      return 'customer_attempt_failed';
    }
    // Dunning counts the billing system's attempts only (the renewal's first attempt and its retries).
    const failedAttempts = await countInvoicePaymentsBy(tx, invoice.id, ['failed'], 'billing');
    const step = nextDunningStep(dunningScheduleMs, invoice.periodStart, failedAttempts);
    if (step.kind === 'retry') {
      await updateInvoice(tx, invoice.id, { failureCode: failure.code }, now);
      if (subscription.status === 'active') {
        await transitionSubscription(
          tx,
          subscription,
          'past_due',
          { ...cause, reason: 'renewal_payment_failed' },
          now,
          { nextPaymentRetryAt: step.at },
        );
      } else {
        await updateSubscriptionVersioned(tx, subscription, { nextPaymentRetryAt: step.at }, now);
      }
      countAfterCommit(tx, BILLING_METRICS.dunningRetriesScheduled);
      return 'renewal_retry_scheduled';
    }
    await moveInvoice(tx, invoice, 'failed', { failedAt: now, failureCode: failure.code }, now);
    await endSubscription(
      tx,
      subscription,
      {
        to: 'canceled',
        cause: { ...cause, reason: 'dunning_exhausted' },
        endedAt: now,
        canceledAt: now,
        cancellationReason: 'dunning_exhausted',
      },
      now,
      systemNow,
    );
    countAfterCommit(tx, BILLING_METRICS.invoicesFailed, { kind: invoice.kind });
    countAfterCommit(tx, BILLING_METRICS.dunningExhausted);
    return 'invoice_failed';
  }

  await moveInvoice(tx, invoice, 'failed', { failedAt: now, failureCode: failure.code }, now);
  if (invoice.kind === 'proration' && subscription.pendingInvoiceId === invoice.id) {
    await updateSubscriptionVersioned(tx, subscription, { pendingPlanId: null, pendingInvoiceId: null }, now);
  }
  countAfterCommit(tx, BILLING_METRICS.invoicesFailed, { kind: invoice.kind });
  return 'invoice_failed';
}

/** Records a report that does not describe the obligation it names; true when it was one (nothing else is written). */
async function recordedAsAnomaly(
  tx: SqlTransaction,
  payment: InvoicePaymentWithInvoice,
  reported: ReportedPayment,
  source: SettlementSource,
  systemNow: Date,
): Promise<boolean> {
  const expected = {
    invoiceId: payment.invoice.id,
    amount: payment.invoice.amount,
    currency: payment.invoice.currency,
    gatewayPaymentId: payment.gatewayPaymentId,
  };
  const mismatches = obligationMismatches(expected, reported);
  if (mismatches.length === 0) return false;
  const anomaly = await insertPaymentAnomaly(tx, {
    kind: mismatches[0],
    invoicePaymentId: payment.id,
    gatewayPaymentId: reported.id,
    eventType: source.eventType,
    expected: {
      amount: expected.amount,
      currency: expected.currency,
      merchantReference: expected.invoiceId,
      gatewayPaymentId: expected.gatewayPaymentId,
    },
    received: {
      amount: reported.amount,
      currency: reported.currency,
      merchantReference: reported.merchantReference,
      gatewayPaymentId: reported.id,
    },
    causeType: source.causeType,
    causeId: source.causeId,
    createdAt: systemNow,
  });
  countAfterCommit(tx, BILLING_METRICS.paymentAnomalies, { kind: anomaly.kind });
  logger.error(
    {
      anomalyId: anomaly.id,
      mismatches,
      invoicePaymentId: payment.id,
      gatewayPaymentId: reported.id,
      eventType: source.eventType,
      causeId: source.causeId,
    },
    'payment report does not match its obligation; nothing settled',
  );
  return true;
}

/** The payment was settled before (a reconciliation, an earlier event): nothing changes but the bookkeeping. */
async function settledAlready(
  tx: Sql,
  payment: InvoicePaymentWithInvoice,
  bookkeeping: Bookkeeping,
  systemNow: Date,
): Promise<SettlementResult> {
  if (Object.keys(bookkeeping).length > 0) await updateInvoicePayment(tx, payment.id, bookkeeping, systemNow);
  return 'ignored_payment_settled';
}

/** The invoice's subscription, locked like every other mutation of it (see lockSubscription), with the invoice read after the lock. */
async function lockSubscriptionWithInvoiceOrThrow(
  tx: Sql,
  payment: InvoicePaymentWithInvoice,
): Promise<{ subscription: Subscription; invoice: Invoice }> {
  const locked = await lockSubscriptionWithInvoice(tx, payment.invoice.subscriptionId, payment.invoice.id);
  if (!locked)
    throw new Error(`Subscription ${payment.invoice.subscriptionId} of invoice ${payment.invoice.id} not found`);
  return locked;
}

/** Same interval: the plan switches for the rest of the period. Another interval: the paid invoice's period starts. */
async function switchToPendingPlan(tx: Sql, subscription: Subscription, invoice: Invoice, now: Date): Promise<void> {
  const [current, pending] = await Promise.all([
    findPlan(tx, subscription.planId),
    findPlan(tx, subscription.pendingPlanId as string),
  ]);
  if (!current || !pending) throw new Error(`Plans of subscription ${subscription.id} not found`);
  const intervalChanged = current.interval !== pending.interval || current.intervalCount !== pending.intervalCount;
  await updateSubscriptionVersioned(
    tx,
    subscription,
    {
      planId: pending.id,
      pendingPlanId: null,
      pendingInvoiceId: null,
      ...(intervalChanged
        ? {
            currentPeriodStart: invoice.periodStart,
            currentPeriodEnd: invoice.periodEnd,
            billingCycleAnchor: invoice.periodStart,
          }
        : {}),
    },
    now,
  );
}

/** The renewal is paid: the subscription moves into the period the invoice covers (past_due → active). */
async function advancePeriod(
  tx: Sql,
  subscription: Subscription,
  invoice: Invoice,
  cause: StatusChangeCause,
  now: Date,
): Promise<void> {
  const changes = {
    currentPeriodStart: invoice.periodStart,
    currentPeriodEnd: invoice.periodEnd,
    renewalInvoiceId: null,
    nextPaymentRetryAt: null,
  };
  if (subscription.status === 'past_due') {
    await transitionSubscription(tx, subscription, 'active', cause, now, changes);
  } else {
    await updateSubscriptionVersioned(tx, subscription, changes, now);
  }
}
