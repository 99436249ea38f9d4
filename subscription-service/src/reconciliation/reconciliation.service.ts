import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { settleInvoicePayment, SettlementResult } from '../billing/payment-outcomes';
import { isCollectible } from '../invoices/domain/invoice-status';
import { GatewayPayment, PaymentGatewayClient } from '../payments-outbox/payment-gateway.client';
import { hasPendingCharge, lockInvoicePayment, moveInvoicePayment } from '../invoices/persistence/invoice.repository';
import { Clock, CLOCK } from '../platform/time/clock';
import { Database, statement } from '../platform/database/database';
import { RECONCILIATION_METRICS, RECONCILIATION_OUTCOMES } from './reconciliation.metrics';

interface ClaimedPayment {
  id: string;
  invoice_id: string;
  status: 'processing' | 'unknown';
  gateway_payment_id: string | null;
}

export type ReconciliationOutcome =
  | SettlementResult
  | 'still_processing'
  | 'not_found'
  | 'resolved_processing'
  | 'already_settled'
  | 'canceled_never_created'
  | 'lookup_failed';

/** Compile-time check: the metric's known outcomes are exactly ReconciliationOutcome (a new outcome must be added there). */
type UnlistedOutcome = Exclude<ReconciliationOutcome, (typeof RECONCILIATION_OUTCOMES)[number]>;
export const OUTCOMES_LISTED: [UnlistedOutcome] extends [never] ? true : never = true;
void (RECONCILIATION_OUTCOMES satisfies readonly ReconciliationOutcome[]);

/** Stale payments claimed at once. */
export const RECONCILIATION_BATCH_SIZE = 50;

const CLAIM_STALE = statement(
  'reconciliation_claim_stale',
  `UPDATE invoice_payments
      SET updated_at = $1
    WHERE id IN (
      SELECT id FROM invoice_payments
       WHERE status IN ('processing', 'unknown')
         AND updated_at <= $2
         AND updated_at < $1
       ORDER BY updated_at
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
   RETURNING id, invoice_id, status::text AS status, gateway_payment_id`,
);

/**
 * Settles invoice payments whose webhook never came (the ReconciliationWorker runs it every
 * RECONCILIATION_INTERVAL_MS): it claims invoice payments in `processing` (sent, 202 received) or
 * `unknown` (the send timed out) whose last update is older than RECONCILIATION_AFTER_MS, asks the payment service for them
 * (`GET /v1/payments?merchantReference=<invoice id>`) and applies a terminal outcome exactly as the
 * webhook would (same functions, same lock order: invoice payment → subscription → invoice), with
 * cause `reconciliation` / the gateway payment id. A webhook arriving later finds the payment settled
 * and changes nothing.
 *
 * Claiming: one short statement per batch, `FOR UPDATE SKIP LOCKED` on the rows, that moves their
 * `updated_at` to now, so another replica will not look at them again before the threshold passes.
 * The HTTP lookup runs outside any lock; settleInvoicePayment then locks the row again and re-checks it, and
 * compares the gateway's amount, currency and merchant reference with the obligation like for a webhook.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    private readonly db: Database,
    private readonly gateway: PaymentGatewayClient,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Claims one batch (RECONCILIATION_BATCH_SIZE) of stale payments and reconciles each; returns the outcome
   * per invoice payment. `stopping` (shutdown) ends it after the payment in progress; the rest of the batch
   * waits for the next threshold.
   */
  async reconcileStale(
    stopping: () => boolean = () => false,
  ): Promise<{ invoicePaymentId: string; outcome: ReconciliationOutcome }[]> {
    const claimed = await this.claimStale();
    const results: { invoicePaymentId: string; outcome: ReconciliationOutcome }[] = [];
    for (const row of claimed) {
      if (stopping()) break;
      const outcome = await this.reconcile(row);
      // Each outcome is final here: its transaction (if any) has committed.
      RECONCILIATION_METRICS.actions.inc({ outcome });
      results.push({ invoicePaymentId: row.id, outcome });
    }
    return results;
  }

  private claimStale(): Promise<ClaimedPayment[]> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.reconciliation.afterMs);
    return this.db.query<ClaimedPayment>(CLAIM_STALE, [now, cutoff, RECONCILIATION_BATCH_SIZE]);
  }

  private async reconcile(row: ClaimedPayment): Promise<ReconciliationOutcome> {
    let found: GatewayPayment | undefined;
    try {
      const payments = await this.gateway.findPaymentsByMerchantReference(row.invoice_id);
      found = payments.find(
        (p) =>
          (row.gateway_payment_id !== null && p.id === row.gateway_payment_id) ||
          p.metadata.invoicePaymentId === row.id,
      );
    } catch (error) {
      this.logger.warn(
        { invoicePaymentId: row.id, err: error },
        'reconciliation lookup failed; will try again after the threshold',
      );
      return 'lookup_failed';
    }
    if (!found) {
      if (row.status === 'unknown') return this.resolveNeverCreated(row);
      this.logger.warn(
        { invoicePaymentId: row.id, gatewayPaymentId: row.gateway_payment_id },
        'reconciliation: payment not found at the gateway',
      );
      return 'not_found';
    }
    const gatewayPayment = found;
    const now = this.clock.now();
    const reported = {
      id: gatewayPayment.id,
      amount: gatewayPayment.amount,
      currency: gatewayPayment.currency,
      merchantReference: gatewayPayment.merchantReference,
    };
    const source = {
      causeType: 'reconciliation' as const,
      causeId: gatewayPayment.id,
      eventType: `reconciliation.${gatewayPayment.status}`,
    };
    const dunning = this.config.billing.dunningScheduleMs;
    const outcome = await this.db.transaction(async (tx): Promise<ReconciliationOutcome> => {
      switch (gatewayPayment.status) {
        case 'succeeded':
          return settleInvoicePayment(tx, row.id, { kind: 'succeeded', gateway: reported }, source, now, dunning);
        case 'failed':
          return settleInvoicePayment(
            tx,
            row.id,
            {
              kind: 'failed',
              code: gatewayPayment.failureCode ?? 'payment_failed',
              message: gatewayPayment.failureMessage,
              gateway: reported,
            },
            source,
            now,
            dunning,
          );
        default: {
          // Same lock order as the webhook; re-check: a webhook may have settled it during the lookup.
          const payment = await lockInvoicePayment(tx, row.id);
          if (!payment || (payment.status !== 'processing' && payment.status !== 'unknown')) return 'already_settled';
          if (payment.status === 'processing') return 'still_processing';
          // The timed-out request did create it: it is an ordinary payment in flight now.
          await moveInvoicePayment(tx, payment, 'processing', { gatewayPaymentId: gatewayPayment.id }, now);
          return 'resolved_processing';
        }
      }
    });
    this.logger.log(
      { invoicePaymentId: row.id, gatewayPaymentId: gatewayPayment.id, gatewayStatus: gatewayPayment.status, outcome },
      'payment reconciled',
    );
    return outcome;
  }

  /**
   * An `unknown` payment the gateway does not have. While its invoice is collectible the outbox retry (same
   * Idempotency-Key) sends it again; once the invoice is void or settled and no charge is waiting to be sent, it
   * never will be: `canceled`. (Should the lost request still reach the gateway, its webhook finds the payment
   * canceled and the money is refunded.)
   */
  private async resolveNeverCreated(row: ClaimedPayment): Promise<ReconciliationOutcome> {
    const now = this.clock.now();
    return this.db.transaction(async (tx): Promise<ReconciliationOutcome> => {
      const payment = await lockInvoicePayment(tx, row.id);
      if (!payment || payment.status !== 'unknown') return 'already_settled';
      if (isCollectible(payment.invoice.status) || (await hasPendingCharge(tx, payment.id))) return 'not_found';
      await moveInvoicePayment(
        tx,
        payment,
        'canceled',
        {
          failureCode: 'not_sent',
          failureMessage: 'invoice no longer collectible; the gateway never created the payment',
        },
        now,
      );
      return 'canceled_never_created';
    });
  }
}
