import { WorkTopic } from '../platform/workers/work-signal';
import { RefundLease } from './refund.repository';

/**
 * Refunds to attempt on the simulated card network. Reserved by the request that creates a refund (the refund
 * is written leased and attempted right after it commits), listened to by RefundProcessingWorker.
 */
export const REFUND_ATTEMPTS = new WorkTopic<RefundLease>('refund-attempts');
