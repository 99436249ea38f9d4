/**
 * Every error code the API can answer with, its HTTP status and title. Codes are stable snake_case
 * identifiers clients may branch on; problem `type` URIs are derived from them.
 */
export const ERROR_CATALOG = {
  validation_failed: { status: 400, title: 'Validation failed' },
  malformed_json: { status: 400, title: 'Malformed JSON body' },
  invalid_cursor: { status: 400, title: 'Invalid cursor' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  invalid_signature: { status: 401, title: 'Invalid webhook signature' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  email_taken: { status: 409, title: 'Email already registered' },
  plan_code_taken: { status: 409, title: 'Plan code already exists' },
  plan_archived: { status: 409, title: 'Plan is archived' },
  subscription_exists: { status: 409, title: 'User already has a live subscription' },
  subscription_not_active: { status: 409, title: 'Subscription is not active' },
  same_plan: { status: 409, title: 'Subscription is already on this plan' },
  plan_change_pending: { status: 409, title: 'A plan change is already pending' },
  no_pending_cancellation: { status: 409, title: 'No pending cancellation to resume' },
  no_scheduled_change: { status: 409, title: 'No scheduled plan change to withdraw' },
  renewal_in_progress: { status: 409, title: 'A renewal is being collected' },
  subscription_not_incomplete: { status: 409, title: 'Subscription is not incomplete' },
  incomplete_window_ended: { status: 409, title: 'The incomplete window has ended' },
  payment_in_progress: { status: 409, title: 'A payment attempt is in progress' },
  invoice_not_payable: { status: 409, title: 'Invoice cannot be paid' },
  subscription_ended: { status: 409, title: 'Subscription has ended' },
  invalid_state_transition: { status: 409, title: 'Invalid subscription state transition' },
  idempotency_key_in_use: { status: 409, title: 'Idempotency key in use' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused with a different request' },
  currency_mismatch: { status: 422, title: 'Currency mismatch' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const PROBLEM_TYPE_BASE = 'https://errors.billing.example/';
