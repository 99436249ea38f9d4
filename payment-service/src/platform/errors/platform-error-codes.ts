/**
 * The problem codes of the platform both services share (docs/contracts.md), each with its one HTTP status. A
 * service adds its domain codes in its own `error-catalog.ts`. Codes are stable snake_case identifiers clients may
 * branch on; the problem `type` URI is derived from the code (RFC 9457 §3.1.1).
 *
 * One rule for the 400s: `malformed_json` only when the body could not be parsed as JSON (the body parser failed);
 * `bad_request` when the HTTP request itself is malformed before any route sees it (a URL that is not valid
 * percent-encoding, a malformed header line); `validation_failed` for everything a well-formed request says that
 * the API refuses (with `errors` naming the fields).
 */
export const PLATFORM_ERROR_STATUS = {
  validation_failed: 400,
  malformed_json: 400,
  bad_request: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  idempotency_key_in_use: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  header_fields_too_large: 431,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type PlatformErrorCode = keyof typeof PLATFORM_ERROR_STATUS;
