import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { settleInvoicePayment } from '../billing/payment-outcomes';
import { settleInvoiceRefund } from '../billing/refund-outcomes';
import { findInvoicePaymentId } from '../invoices/persistence/invoice.repository';
import { Clock, CLOCK } from '../platform/time/clock';
import { Database, Sql, SqlTransaction } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { UNSTORABLE_TEXT_MESSAGE, unstorableTextFields } from '../platform/http/storable-text';
import { MAX_EVENT_ID_LENGTH, PaymentEvent, parsePaymentEvent } from './domain/payment-event';
import { checkWebhookHeaders, verifyWebhookSignature, WebhookHeaders } from './domain/webhook-signature';
import { recordInboundWebhookEvent, setInboundWebhookOutcome } from './inbound-webhook-event.repository';

export interface WebhookAck {
  received: true;
  duplicate: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class PaymentWebhooksService {
  private readonly logger = new Logger(PaymentWebhooksService.name);

  constructor(
    private readonly db: Database,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Verifies and applies one delivery, in this order: the headers (present and well formed), the signature over
   * `rawBody`, the exact bytes received, and only then the JSON. The inbound_webhook_events row (keyed by
   * webhook-id) and every effect commit together, so a duplicate delivery is acknowledged without being applied twice.
   * @throws DomainError 401 `invalid_signature` for missing headers, a stale timestamp or no matching signature.
   * @throws DomainError 400 `validation_failed` for a malformed header, or a signed body that is not a payment event
   *   this service can store: not JSON, a field missing, a sequence past a 32-bit integer, an id (or the webhook-id)
   *   over 255 characters, a string PostgreSQL text cannot hold. Nothing is recorded.
   */
  async receive(headers: WebhookHeaders, rawBody: Buffer): Promise<WebhookAck> {
    const checked = checkWebhookHeaders(headers);
    if (!checked.ok && checked.missing.length > 0) {
      throw new DomainError(
        'invalid_signature',
        `Webhook signature verification failed (missing_headers: ${checked.missing.join(', ')}).`,
      );
    }
    if (!checked.ok) throw DomainError.validation(checked.malformed);
    const now = this.clock.now();
    const verification = verifyWebhookSignature(
      { ...headers, rawBody },
      this.config.webhook.secrets,
      this.config.webhook.toleranceSeconds,
      now,
    );
    if (!verification.valid) {
      this.logger.warn({ webhookId: headers.id, reason: verification.reason }, 'webhook rejected');
      throw new DomainError('invalid_signature', `Webhook signature verification failed (${verification.reason}).`);
    }
    const webhookId = headers.id as string;
    if (webhookId.length > MAX_EVENT_ID_LENGTH) {
      throw DomainError.validation([
        { field: 'webhook-id', message: `webhook-id must be at most ${MAX_EVENT_ID_LENGTH} characters` },
      ]);
    }
    const parsed = parsePaymentEvent(rawBody);
    if (!parsed.ok) throw DomainError.validation([{ field: 'body', message: parsed.problem }]);
    const event = parsed.event;
    if (unstorableTextFields(event, '').length > 0) {
      throw DomainError.validation([{ field: 'body', message: `body ${UNSTORABLE_TEXT_MESSAGE}` }]);
    }

    const outcome = await this.db.transaction(async (tx) => {
      const recorded = await recordInboundWebhookEvent(tx, {
        id: webhookId,
        type: event.type,
        paymentId: event.paymentId,
        sequence: event.sequence,
        receivedAt: now,
      });
      if (!recorded) return null;
      const result = await this.apply(tx, webhookId, event, now);
      await setInboundWebhookOutcome(tx, webhookId, result);
      return result;
    });
    if (outcome === null) {
      this.logger.log({ webhookId, type: event.type }, 'duplicate webhook acknowledged');
      return { received: true, duplicate: true };
    }
    this.logger.log(
      { webhookId, type: event.type, paymentId: event.paymentId, sequence: event.sequence, outcome },
      'webhook processed',
    );
    return { received: true, duplicate: false };
  }

  private async apply(tx: SqlTransaction, webhookId: string, event: PaymentEvent, now: Date): Promise<string> {
    if (event.refund) {
      if (event.type !== 'refund.succeeded' && event.type !== 'refund.failed') return 'ignored_unsupported_type';
      const refund = event.refund;
      const by = { invoiceRefundId: uuidOrNull(refund.metadata.invoiceRefundId), gatewayRefundId: refund.id };
      return settleInvoiceRefund(
        tx,
        by,
        event.type === 'refund.succeeded'
          ? { kind: 'succeeded', gatewayRefundId: refund.id }
          : {
              kind: 'failed',
              gatewayRefundId: refund.id,
              code: refund.failureCode ?? 'refund_failed',
              message: refund.failureMessage,
            },
        now,
      );
    }
    const payment = event.payment;
    if (!payment || (event.type !== 'payment.succeeded' && event.type !== 'payment.failed'))
      return 'ignored_unsupported_type';
    const invoicePaymentId = await this.findEventInvoicePayment(tx, payment);
    if (!invoicePaymentId) {
      this.logger.warn(
        { webhookId, paymentId: payment.id, merchantReference: payment.merchantReference },
        'webhook for an unknown payment ignored',
      );
      return 'ignored_unknown';
    }
    const reported = {
      id: payment.id,
      amount: payment.amount,
      currency: payment.currency,
      merchantReference: payment.merchantReference,
    };
    return settleInvoicePayment(
      tx,
      invoicePaymentId,
      event.type === 'payment.succeeded'
        ? { kind: 'succeeded', gateway: reported }
        : {
            kind: 'failed',
            code: payment.failureCode ?? 'payment_failed',
            message: payment.failureMessage,
            gateway: reported,
          },
      // Written with the outcome: the next event of this payment must be newer.
      { causeType: 'webhook_event', causeId: webhookId, eventType: event.type, sequence: event.sequence },
      now,
      this.config.billing.dunningScheduleMs,
    );
  }

  /** The invoice payment an event names: by metadata.invoicePaymentId, then the gateway payment id, then merchantReference (= invoice id). */
  private async findEventInvoicePayment(
    tx: Sql,
    payment: NonNullable<PaymentEvent['payment']>,
  ): Promise<string | null> {
    const fromMetadata = uuidOrNull(payment.metadata.invoicePaymentId);
    if (fromMetadata && (await findInvoicePaymentId(tx, { id: fromMetadata }))) return fromMetadata;
    const invoiceId = uuidOrNull(payment.merchantReference);
    return (
      (await findInvoicePaymentId(tx, { gatewayPaymentId: payment.id })) ??
      (invoiceId ? await findInvoicePaymentId(tx, { invoiceId }) : null)
    );
  }
}

function uuidOrNull(value: string | null | undefined): string | null {
  return value && UUID.test(value) ? value : null;
}
