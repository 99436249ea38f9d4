import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { applyPaymentFailed, applyPaymentSucceeded } from '../billing/payment-outcomes';
import { findInvoicePaymentId, InvoicePaymentWithInvoice, lockInvoicePayment } from '../invoices/invoice.repository';
import { Clock, CLOCK } from '../platform/clock';
import { Database, Sql } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { PaymentEvent, parsePaymentEvent } from './domain/payment-event';
import { verifyWebhookSignature } from './domain/webhook-signature';
import { recordInboundWebhookEvent, setInboundWebhookOutcome } from './inbound-webhook-event.repository';

export interface WebhookHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

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
   * Verifies and applies one delivery. The inbound_webhook_events row (keyed by webhook-id) and every
   * effect commit together, so a duplicate delivery is acknowledged without being applied twice.
   */
  async receive(headers: WebhookHeaders, rawBody: Buffer | undefined): Promise<WebhookAck> {
    const now = this.clock.now();
    const verification = verifyWebhookSignature(
      { ...headers, rawBody: rawBody ?? Buffer.alloc(0) },
      this.config.webhook.secrets,
      this.config.webhook.toleranceSeconds,
      now,
    );
    if (!verification.valid) {
      this.logger.warn({ webhookId: headers.id, reason: verification.reason }, 'webhook rejected');
      throw new DomainError('invalid_signature', `Webhook signature verification failed (${verification.reason}).`);
    }
    const parsed = parsePaymentEvent(rawBody as Buffer);
    if (!parsed.ok) throw DomainError.validation([{ field: 'body', message: parsed.problem }]);
    const event = parsed.event;
    const webhookId = headers.id as string;

    const outcome = await this.db.transaction(async (tx) => {
      const recorded = await recordInboundWebhookEvent(tx, { id: webhookId, type: event.type, paymentId: event.payment.id, sequence: event.sequence, receivedAt: now });
      if (!recorded) return null;
      const result = await this.apply(tx, webhookId, event, now);
      await setInboundWebhookOutcome(tx, webhookId, result);
      return result;
    });
    if (outcome === null) {
      this.logger.log({ webhookId, type: event.type }, 'duplicate webhook acknowledged');
      return { received: true, duplicate: true };
    }
    this.logger.log({ webhookId, type: event.type, paymentId: event.payment.id, sequence: event.sequence, outcome }, 'webhook processed');
    return { received: true, duplicate: false };
  }

  private async apply(tx: Sql, webhookId: string, event: PaymentEvent, now: Date): Promise<string> {
    if (event.type !== 'payment.succeeded' && event.type !== 'payment.failed') return 'ignored_unsupported_type';
    // Locked: events of one payment serialise here; a higher sequence wins, older ones never regress state.
    const payment = await this.lockEventPayment(tx, event);
    if (!payment) {
      this.logger.warn({ webhookId, paymentId: event.payment.id, merchantReference: event.payment.merchantReference }, 'webhook for an unknown payment ignored');
      return 'ignored_unknown';
    }
    if (payment.lastEventSequence !== null && event.sequence <= payment.lastEventSequence) return 'ignored_stale';
    // Written with the outcome: the next event of this payment must be newer.
    const sequence = { lastEventSequence: event.sequence };

    if (event.type === 'payment.succeeded') {
      return applyPaymentSucceeded(tx, payment, event.payment.id, { causeType: 'webhook_event', causeId: webhookId }, now, sequence);
    }
    return applyPaymentFailed(
      tx,
      payment,
      { code: event.payment.failureCode ?? 'payment_failed', message: event.payment.failureMessage, gatewayPaymentId: event.payment.id },
      { causeType: 'webhook_event', causeId: webhookId },
      now,
      this.config.billing.dunningScheduleMs,
      sequence,
    );
  }

  /** The event's invoice payment, locked: by metadata.invoicePaymentId, then the gateway payment id, then merchantReference (= invoice id). */
  private async lockEventPayment(tx: Sql, event: PaymentEvent): Promise<InvoicePaymentWithInvoice | null> {
    const fromMetadata = event.payment.metadata.invoicePaymentId;
    if (fromMetadata && UUID.test(fromMetadata)) {
      const payment = await lockInvoicePayment(tx, fromMetadata);
      if (payment) return payment;
    }
    const invoiceId = event.payment.merchantReference;
    const id =
      (await findInvoicePaymentId(tx, { gatewayPaymentId: event.payment.id })) ??
      (invoiceId && UUID.test(invoiceId) ? await findInvoicePaymentId(tx, { invoiceId }) : null);
    return id ? lockInvoicePayment(tx, id) : null;
  }
}
