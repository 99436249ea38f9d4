import { ERROR_CATALOG, ErrorCode } from './error-catalog';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A failure with a stable code; the problem+json filter maps it to HTTP in one place. */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly fieldErrors?: readonly FieldError[],
  ) {
    super(detail);
    this.name = 'DomainError';
    this.status = ERROR_CATALOG[code].status;
  }

  static notFound(resource: string, id: string): DomainError {
    return new DomainError('not_found', `${resource} ${id} was not found.`);
  }

  static unauthorized(): DomainError {
    return new DomainError('unauthorized', 'A valid API key is required: Authorization: Bearer <key>.');
  }

  static validation(fieldErrors: readonly FieldError[]): DomainError {
    return new DomainError('validation_failed', 'The request is invalid.', fieldErrors);
  }
}

/** `startingAfter` is not an item of the list the caller may see (see `cursorAfter`). */
export function invalidCursorError(startingAfter: string): DomainError {
  return new DomainError(
    'invalid_cursor',
    `startingAfter ${startingAfter} is not an item of this list; pass the nextCursor of the previous page.`,
  );
}
