import { defineCounter, labelCombinations } from '../platform/metrics/metrics-registry';

/**
 * Webhook delivery counters, counted once the attempt's statement has committed. The delivery gauges (pending,
 * oldest pending, dead letters) are read from the database: WebhookDeliveryMetrics. Meanings: docs/operations.md.
 */
export const WEBHOOK_METRICS = {
  attempts: defineCounter({
    name: 'webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts, by outcome: delivered (2xx) or failed (anything else, or no answer in time).',
    labelNames: ['outcome'],
    known: labelCombinations({ outcome: ['delivered', 'failed'] }),
  }),
  deadLettered: defineCounter({
    name: 'webhook_deliveries_dead_lettered_total',
    help: 'Webhook deliveries that failed their last scheduled attempt and became dead letters (status failed).',
  }),
};
