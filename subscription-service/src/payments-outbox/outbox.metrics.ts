import { Injectable, OnModuleInit } from '@nestjs/common';
import { Database } from '../platform/database/database';
import { ageSeconds, AppMetrics } from '../platform/metrics/app-metrics';
import { PAYMENT_INITIATE_TOPIC } from './messages/payment-initiate.message';
import { REFUND_CREATE_TOPIC } from './messages/refund-create.message';
import { waitingMessagesByTopic } from './outbox.repository';

const TOPICS = [PAYMENT_INITIATE_TOPIC, REFUND_CREATE_TOPIC];

/**
 * `billing_outbox_messages_waiting{topic}` and `billing_outbox_oldest_waiting_age_seconds{topic}`: the outbox rows not
 * sent yet (status `pending`: due now, waiting for a retry, or claimed and in flight) and how long the oldest has
 * waited since it was written. One indexed query per scrape at most every 5 s (AppMetrics.cachedGauges); every known
 * topic is reported, with 0 when it has nothing waiting. The same value on every replica (it is the database's).
 */
@Injectable()
export class OutboxMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: AppMetrics,
    private readonly db: Database,
  ) {}

  onModuleInit(): void {
    this.metrics.cachedGauges(
      {
        waiting: {
          name: 'billing_outbox_messages_waiting',
          help: 'Outbox messages to the payment service not sent yet (pending), by topic.',
          labelNames: ['topic'],
        },
        oldestAge: {
          name: 'billing_outbox_oldest_waiting_age_seconds',
          help: 'Seconds since the oldest pending outbox message was written, by topic (0 when none waits).',
          labelNames: ['topic'],
        },
      },
      async (now) => {
        const rows = await waitingMessagesByTopic(this.db);
        const topics = [...new Set([...TOPICS, ...rows.map((row) => row.topic)])];
        const of = (topic: string) => rows.find((row) => row.topic === topic);
        return {
          waiting: topics.map((topic) => ({ labels: { topic }, value: of(topic)?.waiting ?? 0 })),
          oldestAge: topics.map((topic) => ({ labels: { topic }, value: ageSeconds(now, of(topic)?.oldest ?? null) })),
        };
      },
    );
  }
}
