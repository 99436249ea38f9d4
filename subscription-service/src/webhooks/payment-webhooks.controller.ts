import { Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { Public } from '../platform/auth/auth.decorators';
import { RawJsonBody, rawJsonBody } from '../platform/http/json-body';
import { ProblemDoc } from '../platform/http/problem-responses';
import { SEED_IDS } from '../seed-ids';
import { PaymentWebhooksService, WebhookAck } from './payment-webhooks.service';
import { WebhookRateLimitGuard } from './webhook-rate-limit.guard';

/** Payment events are a few KiB; a larger body is refused (413) before it is read in full. */
const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class PaymentWebhooksController {
  constructor(private readonly webhooks: PaymentWebhooksService) {}

  @Post('payments')
  @Public()
  // No per-caller budget (there is no API key); its own per-address limit instead.
  @SkipThrottle()
  @UseGuards(WebhookRateLimitGuard)
  @RawJsonBody(MAX_WEBHOOK_BODY_BYTES)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Payment events from the payment service (Standard Webhooks)',
    description:
      'Called by the payment service, not by API clients. Authenticated by `webhook-signature` = ' +
      '`v1,<base64 HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{raw body}")>` with a key from ' +
      'PAYMENT_WEBHOOK_SECRETS (several accepted, for rotation); the timestamp must be within the tolerance. ' +
      'Duplicates (same webhook-id) are acknowledged with `duplicate: true` and not applied again; events older ' +
      'than the last applied one for the same payment (by `sequence`) are ignored. The body (JSON, at most 64 KiB) ' +
      'is parsed only once the headers are well formed and the signature matches; deliveries are limited per ' +
      'client address (WEBHOOK_RATE_LIMIT_PER_MINUTE).',
  })
  @ApiHeader({ name: 'webhook-id', required: true, description: 'Event id; the deduplication key.' })
  @ApiHeader({ name: 'webhook-timestamp', required: true, description: 'Unix seconds at send time.' })
  @ApiHeader({ name: 'webhook-signature', required: true, description: 'Space-separated `v1,<base64>` signatures.' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['id', 'type', 'sequence', 'data'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        type: { type: 'string', enum: ['payment.succeeded', 'payment.failed'] },
        createdAt: { type: 'string', format: 'date-time' },
        sequence: { type: 'integer', minimum: 0 },
        data: { type: 'object', properties: { object: { type: 'object', description: 'The Payment resource.' } } },
      },
      example: {
        id: '7d1f2c9a-3b4e-4f5a-8c6d-0e1f2a3b4c5d',
        type: 'payment.succeeded',
        createdAt: '2026-11-27T10:00:01.000Z',
        sequence: 1,
        data: {
          object: {
            id: '5a0f0e52-44a4-4a2a-9d53-6c1f0a6a1b11',
            object: 'payment',
            status: 'succeeded',
            amount: 900,
            currency: 'USD',
            merchantReference: SEED_IDS.bobInitialInvoice,
            customerReference: SEED_IDS.users.bob,
            paymentMethod: 'pm_card_visa',
            metadata: { subscriptionId: SEED_IDS.bobSubscription, invoicePaymentId: SEED_IDS.bobInitialInvoicePayment },
            failureCode: null,
            failureMessage: null,
          },
        },
      },
    },
  })
  @ApiOkResponse({ schema: { example: { received: true, duplicate: false } } })
  @ApiUnauthorizedResponse({ type: ProblemDoc, description: 'invalid_signature: missing, wrong or stale signature' })
  @ApiBadRequestResponse({
    type: ProblemDoc,
    description: 'validation_failed: a malformed webhook header, or signed but not a payment event',
  })
  @ApiPayloadTooLargeResponse({ type: ProblemDoc, description: 'payload_too_large: a body over 64 KiB' })
  @ApiTooManyRequestsResponse({ type: ProblemDoc, description: 'rate_limited: too many deliveries from this address' })
  receive(
    @Req() request: FastifyRequest,
    @Headers('webhook-id') id: string | undefined,
    @Headers('webhook-timestamp') timestamp: string | undefined,
    @Headers('webhook-signature') signature: string | undefined,
  ): Promise<WebhookAck> {
    return this.webhooks.receive({ id, timestamp, signature }, rawJsonBody(request));
  }
}
