import { WorkTopic } from '../platform/workers/work-signal';
import { WrittenDelivery } from './event.repository';

/** An event written with its deliveries under a delivery reservation: what the delivery worker is handed. */
export interface WrittenEvent {
  readonly event: {
    readonly id: string;
    readonly body: string;
    readonly requestId: string | null;
    /** W3C trace context of the processing that wrote the event (null when tracing is off). */
    readonly traceContext: string | null;
  };
  /** One per enabled endpoint, leased until `leaseUntil`. */
  readonly deliveries: readonly WrittenDelivery[];
  readonly leaseUntil: Date;
}

/**
 * Webhook deliveries to send. Reserved by the settlement that writes an event with its deliveries (the first
 * delivery is sent right after it commits, the others are left to polling) and raised by redeliveries (the
 * worker polls at once); listened to by WebhookDeliveryWorker.
 */
export const WEBHOOK_DELIVERIES = new WorkTopic<WrittenEvent>('webhook-deliveries');
