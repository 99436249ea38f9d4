import { randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, any>;
}

/** Plays the payment service's POST /v1/payments contract, answering a scripted status per call. */
export class FakePaymentGateway {
  readonly requests: RecordedRequest[] = [];
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
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    this.requests.push(recorded);
    const status = this.statuses[Math.min(this.requests.length - this.firstScriptedRequest, this.statuses.length) - 1];
    if (this.beforeAnswer) await this.beforeAnswer(recorded);
    res.writeHead(status, { 'content-type': 'application/json' });
    if (status !== 202) {
      res.end(JSON.stringify({ code: status >= 500 ? 'unavailable' : 'validation_failed' }));
      return;
    }
    const id = randomUUID();
    this.acceptedPaymentIds.push(id);
    res.end(JSON.stringify({ id, object: 'payment', status: 'processing', ...body, attempts: [] }));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
