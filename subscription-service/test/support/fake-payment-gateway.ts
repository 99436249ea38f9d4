import { randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, any>;
}

interface StoredPayment {
  readonly id: string;
  readonly idempotencyKey: string | undefined;
  readonly body: Record<string, any>;
}

/**
 * Plays the payment service's POST /v1/payments contract, answering a scripted status per call. Like the
 * real one it keeps one payment per Idempotency-Key (a repeated key answers the payment it created), and
 * answers `GET /v1/payments?merchantReference=` with its payments in status `paymentStatus`.
 */
export class FakePaymentGateway {
  readonly requests: RecordedRequest[] = [];
  /** GET /v1/payments lookups (not counted in `requests`). */
  readonly lookups: RecordedRequest[] = [];
  /** Payments created, one per Idempotency-Key. */
  readonly payments: StoredPayment[] = [];
  /** The status every payment has in lookups (the webhook that would report it is never sent). */
  paymentStatus: 'processing' | 'succeeded' | 'failed' = 'processing';
  /** The payment id answered to each accepted (202) request, in order. */
  readonly acceptedPaymentIds: string[] = [];
  private server: Server | null = null;
  /** Runs after a request is recorded and before it is answered (e.g. to change the database meanwhile). */
  beforeAnswer: ((request: RecordedRequest) => Promise<void>) | null = null;

  private firstScriptedRequest = 0;

  constructor(private statuses: number[]) {}

  /** Answers the next requests with `statuses` (the last one repeats), whatever was answered before. */
  respondWith(...statuses: number[]): void {
    this.statuses = statuses;
    this.firstScriptedRequest = this.requests.length;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void this.answer(req, res, chunks));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse, chunks: Buffer[]): Promise<void> {
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw.length > 0 ? JSON.parse(raw) : {};
    const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    if (req.method === 'GET') {
      this.lookups.push(recorded);
      const merchantReference = new URL(recorded.url, 'http://fake').searchParams.get('merchantReference');
      const data = this.payments
        .filter((p) => p.body.merchantReference === merchantReference)
        .map((p) => this.resource(p));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data, hasMore: false, nextCursor: null }));
      return;
    }
    this.requests.push(recorded);
    const status = this.statuses[Math.min(this.requests.length - this.firstScriptedRequest, this.statuses.length) - 1];
    // Created before answering (as the real service commits before it answers): a caller that times out
    // meanwhile has still created it.
    let payment: StoredPayment | undefined;
    if (status === 202) {
      const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
      payment = this.payments.find((p) => idempotencyKey !== undefined && p.idempotencyKey === idempotencyKey);
      if (!payment) {
        payment = { id: randomUUID(), idempotencyKey, body };
        this.payments.push(payment);
        this.acceptedPaymentIds.push(payment.id);
      }
    }
    if (this.beforeAnswer) await this.beforeAnswer(recorded);
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    if (!payment) {
      res.end(JSON.stringify({ code: status >= 500 ? 'unavailable' : 'validation_failed' }));
      return;
    }
    res.end(JSON.stringify({ ...this.resource(payment), status: 'processing' }));
  }

  private resource(payment: StoredPayment): Record<string, unknown> {
    const failed = this.paymentStatus === 'failed';
    return {
      id: payment.id,
      object: 'payment',
      ...payment.body,
      status: this.paymentStatus,
      failureCode: failed ? 'card_declined' : null,
      failureMessage: failed ? 'The card was declined.' : null,
      attempts: [],
    };
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
