import { WorkTopic } from '../platform/workers/work-signal';
import { PaymentLease } from './payment.repository';

/**
 * Payments to attempt on the simulated card network. Reserved by the request that creates a payment (the
 * payment is written leased and attempted right after it commits), listened to by PaymentProcessingWorker.
 */
export const PAYMENT_ATTEMPTS = new WorkTopic<PaymentLease>('payment-attempts');
