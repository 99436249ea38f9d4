import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DEMO_API_KEY } from '../../config/demo-api-key';

/** The document's introduction; the demo key only in demo mode. */
const description = (demoMode: boolean): string => `
Simulated payment gateway. Payments are accepted as \`processing\` (202) and decided by a background
worker; the outcome is pushed to the configured webhook endpoint. A succeeded payment can be refunded, fully or in
part (\`POST /v1/payments/{id}/refunds\`, 202 \`pending\`), as long as its refunds that are pending or succeeded
do not exceed its amount; each refund is decided by a background worker too.

Money: \`amount\` is an integer in minor units of \`currency\` (cents for USD, yen for JPY, fils for KWD), 1 to
99999999; \`currency\` is an ISO-4217 code in upper case.

Authenticate with \`Authorization: Bearer <API key>\` (a key from \`API_KEYS\`${demoMode ? `; demo key: \`${DEMO_API_KEY}\`` : ''}).
Errors are RFC 9457 \`application/problem+json\` with a stable \`code\` and the \`requestId\`.
Lists use cursor pagination: \`limit\` (1-100, default 10) and \`startingAfter\` = previous \`nextCursor\`.

### Test payment methods
| paymentMethod | outcome |
|---|---|
| \`pm_card_visa\`, \`pm_card_mastercard\` | succeeded |
| \`pm_card_declined\` | failed \`card_declined\` |
| \`pm_card_insufficient_funds\` | failed \`insufficient_funds\` |
| \`pm_card_expired\` | failed \`expired_card\` |
| \`pm_card_processing_error\` | attempt 1 fails \`processing_error\` (retryable), attempt 2 succeeds |
| \`pm_card_refund_fail\` | succeeded; its refunds fail \`refund_failed\` |
| any other \`pm_…\` | succeeds with probability \`SIMULATION_SUCCESS_RATE\`, else \`card_declined\` |

Refunds of any other payment succeed.

### Webhooks
When a payment reaches \`succeeded\` or \`failed\` (\`payment.succeeded\`, \`payment.failed\`, with the Payment as
\`data.object\`), or a refund reaches \`succeeded\` or \`failed\` (\`refund.succeeded\`, \`refund.failed\`, with the Refund
as \`data.object\`), an event (schema **PaymentEventPayload**) is POSTed to
\`WEBHOOK_URL\` following [Standard Webhooks](https://www.standardwebhooks.com):

- \`webhook-id\`: the event id (deduplicate on it); \`webhook-timestamp\`: unix seconds;
- \`webhook-signature\`: \`v1,<base64 HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{raw body}")>\`,
  key = base64-decoded part of \`WEBHOOK_SECRET\` after \`whsec_\`; verify over the raw bytes;
- \`x-request-id\`: the request id of the payment's creation.

Any 2xx acknowledges. Anything else, or no answer within \`WEBHOOK_TIMEOUT_MS\`, is retried on
\`WEBHOOK_RETRY_SCHEDULE\` (±20 % jitter); then the delivery is \`failed\` and can be resent with
\`POST /v1/events/{id}/redeliver\`, or all dead letters at once: list them with
\`GET /v1/webhook-deliveries?status=failed&since=…\` and resend them with \`POST /v1/webhook-deliveries/redeliver\`. Every retry carries the same body bytes; \`sequence\` increases per payment, and a refund's event takes the next
number of its payment's sequence.
`;

/** Swagger UI at /docs and the OpenAPI document at /docs-json; `demoMode` (DEMO_MODE) names the demo key in them. */
export function setUpSwagger(app: INestApplication, demoMode: boolean): void {
  const config = new DocumentBuilder()
    .setTitle('Payment service')
    .setDescription(description(demoMode))
    .setVersion('1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: demoMode ? `API key, e.g. ${DEMO_API_KEY}` : 'API key' },
      'api-key',
    )
    .addTag('payments', 'Initiate payments and follow their processing attempts.')
    .addTag('refunds', "Refund succeeded payments, fully or in part, and follow each refund's attempts.")
    .addTag('events', 'Payment and refund outcomes as sent to the webhook endpoint, with every delivery attempt.')
    .addTag('webhook deliveries', 'Deliveries across events: find dead letters and redeliver them in bulk.')
    .addTag('webhook endpoints', 'Where events are delivered (from WEBHOOK_URL).')
    .addTag('health', 'Liveness and readiness probes (no authentication).')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
