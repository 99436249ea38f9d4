import { Injectable } from '@nestjs/common';
import { request } from 'undici';
import { AppConfig } from '../config/app-config';
import { REQUEST_ID_HEADER } from '../platform/http/request-id';
import { signWebhook } from './domain/webhook-signature';

export interface WebhookMessage {
  url: string;
  secret: string;
  eventId: string;
  /** The stored event JSON, sent byte for byte. */
  body: string;
  requestId: string;
  timestamp: Date;
}

export interface SendResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseSnippet: string | null;
}

const SNIPPET_LENGTH = 500;

/** One signed POST to a receiver (Standard Webhooks headers). Never throws: failures are results. */
@Injectable()
export class WebhookSender {
  constructor(private readonly config: AppConfig) {}

  async send(message: WebhookMessage): Promise<SendResult> {
    const timestamp = Math.floor(message.timestamp.getTime() / 1000);
    const signature = signWebhook(message.secret, { id: message.eventId, timestamp, body: message.body });
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await request(message.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'payment-service-webhooks/1.0',
          'webhook-id': message.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
          [REQUEST_ID_HEADER]: message.requestId,
        },
        body: message.body,
        signal: AbortSignal.timeout(this.config.webhookTimeoutMs),
      });
      const text = await response.body.text();
      const delivered = response.statusCode >= 200 && response.statusCode < 300;
      return {
        delivered,
        statusCode: response.statusCode,
        error: delivered ? null : `receiver answered ${response.statusCode}`,
        durationMs: elapsed(),
        responseSnippet: text.slice(0, SNIPPET_LENGTH) || null,
      };
    } catch (error) {
      const { name, message: detail } = error as { name?: string; message?: string };
      const reason =
        name === 'TimeoutError' ? `no answer within ${this.config.webhookTimeoutMs} ms` : (detail ?? String(error));
      return {
        delivered: false,
        statusCode: null,
        error: reason.slice(0, 1000),
        durationMs: elapsed(),
        responseSnippet: null,
      };
    }
  }
}
