import { Injectable } from '@nestjs/common';
import { request } from 'undici';
import { AppConfig } from '../config/app-config';
import { PaymentInitiatePayload } from './messages/payment-initiate.message';
import { RefundCreatePayload } from './messages/refund-create.message';

/** The answer to a create request (a payment or a refund); `id` is the created resource's id at the payment service. */
export type GatewayCreateResult =
  | { readonly kind: 'accepted'; readonly id: string }
  /** Worth retrying: 5xx, 408/409/429, or a connection that could not be opened (nothing was sent). */
  | { readonly kind: 'retryable'; readonly error: string }
  /**
   * Timeout or connection dropped after the request may have been sent: the payment service may have
   * created the payment. Retried with the same Idempotency-Key (answers the existing payment) and
   * resolvable by reconciliation.
   */
  | { readonly kind: 'unknown'; readonly error: string }
  /** The payment service refused the request itself (other 4xx): retrying cannot help. */
  | { readonly kind: 'rejected'; readonly status: number; readonly error: string };

const RETRYABLE_STATUSES = new Set([408, 409, 425, 429]);
/** Errors raised before any byte of the request left this process: the outcome is known (nothing happened). */
const NOT_SENT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The Payment resource fields reconciliation reads (docs/contracts.md). */
export interface GatewayPayment {
  readonly id: string;
  readonly status: string;
  /** Minor units. */
  readonly amount: number | null;
  readonly currency: string | null;
  readonly merchantReference: string | null;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly metadata: Record<string, string>;
}

/** HTTP client of the payment service's payments and refunds API (docs/contracts.md). */
@Injectable()
export class PaymentGatewayClient {
  constructor(private readonly config: AppConfig) {}

  /** `POST /v1/payments` with `Idempotency-Key: invoice-payment:<invoice payment id>` (docs/contracts.md). */
  createPayment(payment: PaymentInitiatePayload, requestId: string | null): Promise<GatewayCreateResult> {
    return this.post(
      '/v1/payments',
      // Stable per invoice payment: a re-sent request (crash after send, lease expiry) charges once.
      `invoice-payment:${payment.invoicePaymentId}`,
      {
        amount: payment.amount,
        currency: payment.currency,
        merchantReference: payment.invoiceId,
        customerReference: payment.userId,
        paymentMethod: payment.paymentMethod,
        description: payment.description,
        metadata: { subscriptionId: payment.subscriptionId, invoicePaymentId: payment.invoicePaymentId },
      },
      requestId,
    );
  }

  /**
   * `POST /v1/payments/{gateway payment id}/refunds` with `Idempotency-Key: invoice-refund:<invoice refund id>`
   * (docs/contracts.md): a re-sent request refunds once.
   */
  createRefund(refund: RefundCreatePayload, requestId: string | null): Promise<GatewayCreateResult> {
    return this.post(
      `/v1/payments/${encodeURIComponent(refund.gatewayPaymentId)}/refunds`,
      `invoice-refund:${refund.invoiceRefundId}`,
      {
        amount: refund.amount,
        reason: refund.reason,
        metadata: { invoiceRefundId: refund.invoiceRefundId, invoiceId: refund.invoiceId },
      },
      requestId,
    );
  }

  /** POSTs `body` with the Idempotency-Key and classifies the answer (see GatewayCreateResult). Never throws. */
  private async post(
    path: string,
    idempotencyKey: string,
    body: object,
    requestId: string | null,
  ): Promise<GatewayCreateResult> {
    const { baseUrl, apiKey, timeoutMs } = this.config.paymentService;
    const headers: Record<string, string> = {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    };
    if (requestId) headers['x-request-id'] = requestId;
    try {
      const response = await request(`${baseUrl}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.body.text();
      if (response.statusCode >= 200 && response.statusCode < 300) {
        const id = parseId(text);
        return id ? { kind: 'accepted', id } : { kind: 'retryable', error: `2xx without an id: ${truncate(text)}` };
      }
      const error = `HTTP ${response.statusCode}: ${truncate(text)}`;
      if (response.statusCode >= 500 || RETRYABLE_STATUSES.has(response.statusCode))
        return { kind: 'retryable', error };
      return { kind: 'rejected', status: response.statusCode, error };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return NOT_SENT_ERROR_CODES.has(errorCode(error))
        ? { kind: 'retryable', error: message }
        : { kind: 'unknown', error: message };
    }
  }

  /** `GET /v1/payments?merchantReference=` (first page of up to 100); throws on any failure. */
  async findPaymentsByMerchantReference(merchantReference: string): Promise<GatewayPayment[]> {
    const { baseUrl, apiKey, timeoutMs } = this.config.paymentService;
    const query = new URLSearchParams({ merchantReference, limit: '100' });
    const response = await request(`${baseUrl}/v1/payments?${query.toString()}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(`payment lookup failed: HTTP ${response.statusCode}: ${truncate(text)}`);
    const parsed = JSON.parse(text) as { data?: unknown };
    if (!Array.isArray(parsed.data)) throw new Error(`payment lookup returned no list: ${truncate(text)}`);
    return parsed.data
      .filter(
        (p): p is Record<string, unknown> =>
          typeof p === 'object' && p !== null && typeof (p as { id?: unknown }).id === 'string',
      )
      .map(toGatewayPayment);
  }
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The fields this service reads, typed: anything missing or of another type is null (and never matches an obligation). */
function toGatewayPayment(payment: Record<string, unknown>): GatewayPayment {
  const metadata: Record<string, string> = {};
  if (typeof payment.metadata === 'object' && payment.metadata !== null) {
    for (const [key, value] of Object.entries(payment.metadata)) if (typeof value === 'string') metadata[key] = value;
  }
  return {
    id: payment.id as string,
    status: textOrNull(payment.status) ?? 'unknown',
    amount: Number.isSafeInteger(payment.amount) ? (payment.amount as number) : null,
    currency: textOrNull(payment.currency),
    merchantReference: textOrNull(payment.merchantReference),
    failureCode: textOrNull(payment.failureCode),
    failureMessage: textOrNull(payment.failureMessage),
    metadata,
  };
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  // undici wraps the socket error in `cause`.
  // (no instanceof: errors from Node's internals may come from another realm, e.g. under jest)
  for (let depth = 0; depth < 3 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && NOT_SENT_ERROR_CODES.has(code)) return code;
    current = cause;
  }
  return '';
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
