import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw request bytes, as a receiver must verify them. */
  body: string;
  /** `paymentId` only in refund events (their object is the Refund), `merchantReference` only in payment events. */
  event: {
    id: string;
    type: string;
    sequence: number;
    data: { object: { id: string; merchantReference?: string; paymentId?: string; status: string } };
  };
}

/** Status to answer for the n-th (1-based) delivery of a payment's webhook. */
type Responder = (attempt: number) => number;

/** A real HTTP peer standing in for the subscription service. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly responders = new Map<string, Responder>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = JSON.parse(body) as ReceivedWebhook['event'];
        receiver.received.push({ headers: request.headers, body, event });
        const reference = event.data.object.merchantReference ?? '';
        const attempt = receiver.received.filter(
          (webhook) => webhook.event.data.object.merchantReference === reference,
        ).length;
        response.writeHead(receiver.responders.get(reference)?.(attempt) ?? 200, {
          'content-type': 'application/json',
        });
        response.end(JSON.stringify({ received: true, duplicate: false }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/payments`;
  }

  /** Answer webhooks of the payment with this merchantReference per `responder` (default: 200). */
  respond(merchantReference: string, responder: Responder): void {
    this.responders.set(merchantReference, responder);
  }

  forPayment(paymentId: string): ReceivedWebhook[] {
    return this.received.filter((webhook) => webhook.event.data.object.id === paymentId);
  }

  /** The events of one refund (their `data.object` is the Refund). */
  forRefund(refundId: string): ReceivedWebhook[] {
    return this.received.filter(
      (webhook) => webhook.event.type.startsWith('refund.') && webhook.event.data.object.id === refundId,
    );
  }

  /** Every event about a payment, its own and its refunds', in the order received. */
  aboutPayment(paymentId: string): ReceivedWebhook[] {
    return this.received.filter(
      (webhook) => webhook.event.data.object.id === paymentId || webhook.event.data.object.paymentId === paymentId,
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
