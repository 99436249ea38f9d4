import { Injectable } from '@nestjs/common';
import { request } from 'undici';
import { AppConfig } from '../config/app-config';
import { PaymentInitiatePayload } from '../billing/invoice-issuer';

export type CreatePaymentResult =
  | { readonly kind: 'accepted'; readonly gatewayPaymentId: string }
  /** Worth retrying: 5xx, 408/409/429, timeout, connection failure. */
  | { readonly kind: 'retryable'; readonly error: string }
  /** The payment service refused the request itself (other 4xx): retrying cannot help. */
  | { readonly kind: 'rejected'; readonly status: number; readonly error: string };

const RETRYABLE_STATUSES = new Set([408, 409, 425, 429]);

/** HTTP client of the payment service's `POST /v1/payments` (docs/contracts.md). */
@Injectable()
export class PaymentGatewayClient {
  constructor(private readonly config: AppConfig) {}

  async createPayment(payment: PaymentInitiatePayload, requestId: string | null): Promise<CreatePaymentResult> {
    const { baseUrl, apiKey, timeoutMs } = this.config.paymentService;
    const headers: Record<string, string> = {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      // Stable per invoice payment: a re-sent request (crash after send, lease expiry) charges once.
      'idempotency-key': `invoice-payment:${payment.invoicePaymentId}`,
    };
    if (requestId) headers['x-request-id'] = requestId;
    const body = JSON.stringify({
      amount: payment.amount,
      currency: payment.currency,
      merchantReference: payment.invoiceId,
      customerReference: payment.userId,
      paymentMethod: payment.paymentMethod,
      description: payment.description,
      metadata: { subscriptionId: payment.subscriptionId, invoicePaymentId: payment.invoicePaymentId },
    });

    try {
      const response = await request(`${baseUrl}/v1/payments`, {
        method: 'POST',
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.body.text();
      if (response.statusCode >= 200 && response.statusCode < 300) {
        const id = parseId(text);
        return id ? { kind: 'accepted', gatewayPaymentId: id } : { kind: 'retryable', error: `2xx without a payment id: ${truncate(text)}` };
      }
      const error = `HTTP ${response.statusCode}: ${truncate(text)}`;
      if (response.statusCode >= 500 || RETRYABLE_STATUSES.has(response.statusCode)) return { kind: 'retryable', error };
      return { kind: 'rejected', status: response.statusCode, error };
    } catch (error) {
      return { kind: 'retryable', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
}

function parseId(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { id?: unknown };
    return typeof parsed.id === 'string' && parsed.id.length > 0 ? parsed.id : null;
  } catch {
    return null;
  }
}

function truncate(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
