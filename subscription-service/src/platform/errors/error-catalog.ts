import { PLATFORM_ERROR_STATUS } from './platform-error-codes';

/**
 * This service's domain error codes and their HTTP status. With the platform's codes (platform-error-codes.ts,
 * the same in both services) they are every code the API can answer with.
 */
const DOMAIN_ERROR_STATUS = {
  invalid_signature: 401,
  email_taken: 409,
  plan_code_taken: 409,
  plan_archived: 409,
  subscription_exists: 409,
  subscription_not_active: 409,
  same_plan: 409,
  plan_change_pending: 409,
  no_pending_cancellation: 409,
  no_scheduled_change: 409,
  renewal_in_progress: 409,
  subscription_not_incomplete: 409,
  incomplete_window_ended: 409,
  payment_in_progress: 409,
  invoice_not_payable: 409,
  subscription_ended: 409,
  invalid_state_transition: 409,
  currency_mismatch: 422,
} as const satisfies Record<string, number>;

/** Every error code of this service and its HTTP status (one status per code). */
export const ERROR_STATUS = { ...PLATFORM_ERROR_STATUS, ...DOMAIN_ERROR_STATUS } as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
