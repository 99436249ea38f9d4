import { PLATFORM_ERROR_STATUS } from './platform-error-codes';

/**
 * This service's domain error codes and their HTTP status. With the platform's codes (platform-error-codes.ts,
 * the same in both services) they are every code the API can answer with.
 */
const DOMAIN_ERROR_STATUS = {
  payment_not_refundable: 409,
  refund_exceeds_refundable: 422,
} as const satisfies Record<string, number>;

/** Every error code of this service and its HTTP status (one status per code). */
export const ERROR_STATUS = { ...PLATFORM_ERROR_STATUS, ...DOMAIN_ERROR_STATUS } as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
