import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { applyPaymentFailed, applyPaymentSucceeded } from '../billing/payment-outcomes';
import { Clock, CLOCK } from '../platform/clock';
import { PrismaService, Tx } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { PaymentEvent, parsePaymentEvent } from './domain/payment-event';
import { verifyWebhookSignature } from './domain/webhook-signature';

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
    private readonly prisma: PrismaService,
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

    const outcome = await this.prisma.$transaction(async (tx) => {
      // ON CONFLICT DO NOTHING: a concurrent duplicate waits for the first delivery to commit, then inserts nothing.
      const { count } = await tx.inboundWebhookEvent.createMany({
        data: { id: webhookId, type: event.type, paymentId: event.payment.id, sequence: event.sequence, outcome: 'received', receivedAt: now },
        skipDuplicates: true,
      });
      if (count === 0) return null;
      const result = await this.apply(tx, webhookId, event, now);
      await tx.inboundWebhookEvent.update({ where: { id: webhookId }, data: { outcome: result } });
      return result;
    });
    if (outcome === null) {
      this.logger.log({ webhookId, type: event.type }, 'duplicate webhook acknowledged');
      return { received: true, duplicate: true };
    }
    this.logger.log({ webhookId, type: event.type, paymentId: event.payment.id, sequence: event.sequence, outcome }, 'webhook processed');
    return { received: true, duplicate: false };
  }

  private async apply(tx: Tx, webhookId: string, event: PaymentEvent, now: Date): Promise<string> {
    if (event.type !== 'payment.succeeded' && event.type !== 'payment.failed') return 'ignored_unsupported_type';
    const invoicePaymentId = await this.findInvoicePaymentId(tx, event);
    if (!invoicePaymentId) {
      this.logger.warn({ webhookId, paymentId: event.payment.id, merchantReference: event.payment.merchantReference }, 'webhook for an unknown payment ignored');
      return 'ignored_unknown';
    }
    // Serialise events of one payment; a higher sequence wins, older ones never regress state.
    await tx.$queryRaw`SELECT id FROM invoice_payments WHERE id = ${invoicePaymentId}::uuid FOR UPDATE`;
    const payment = await tx.invoicePayment.findUniqueOrThrow({ where: { id: invoicePaymentId }, include: { invoice: true } });
    if (payment.lastEventSequence !== null && event.sequence <= payment.lastEventSequence) return 'ignored_stale';
    await tx.invoicePayment.update({ where: { id: payment.id }, data: { lastEventSequence: event.sequence, updatedAt: now } });

    if (event.type === 'payment.succeeded') {
      return applyPaymentSucceeded(tx, payment, event.payment.id, { causeType: 'webhook_event', causeId: webhookId }, now);
    }
    return applyPaymentFailed(
      tx,
      payment,
      { code: event.payment.failureCode ?? 'payment_failed', message: event.payment.failureMessage, gatewayPaymentId: event.payment.id },
      { causeType: 'webhook_event', causeId: webhookId },
      now,
      this.config.billing.dunningScheduleMs,
    );
  }

  /** metadata.invoicePaymentId, then the gateway payment id, then merchantReference (= invoice id). */
  private async findInvoicePaymentId(tx: Tx, event: PaymentEvent): Promise<string | null> {
    const fromMetadata = event.payment.metadata.invoicePaymentId;
    if (fromMetadata && UUID.test(fromMetadata)) {
      const found = await tx.invoicePayment.findUnique({ where: { id: fromMetadata }, select: { id: true } });
      if (found) return found.id;
    }
    const byGatewayId = await tx.invoicePayment.findUnique({ where: { gatewayPaymentId: event.payment.id }, select: { id: true } });
    if (byGatewayId) return byGatewayId.id;
    const invoiceId = event.payment.merchantReference;
    if (invoiceId && UUID.test(invoiceId)) {
      const latest = await tx.invoicePayment.findFirst({ where: { invoiceId }, orderBy: { createdAt: 'desc' }, select: { id: true } });
      if (latest) return latest.id;
    }
    return null;
  }
}
