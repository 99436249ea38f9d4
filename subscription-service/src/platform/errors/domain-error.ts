import { ERROR_STATUS, ErrorCode } from './error-catalog';

/** One refused input: `field` is its path (`metadata.note`, a query parameter, a header name). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * A failure with a stable code (error-catalog.ts); the problem+json filter maps it to HTTP in one place. Code that
 * refuses something throws this and never builds a response itself.
 */
export class DomainError extends Error {
  /** The code's one HTTP status (error-catalog.ts). */
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly fieldErrors?: readonly FieldError[],
  ) {
    super(detail);
    this.name = new.target.name;
    this.status = ERROR_STATUS[code];
  }

  static notFound(resource: string, id: string): DomainError {
    return new DomainError('not_found', `${resource} ${id} was not found.`);
  }

  static unauthorized(): DomainError {
    return new DomainError('unauthorized', 'A valid API key is required: Authorization: Bearer <key>.');
  }

  /** 400 `validation_failed`, with the refused fields in the problem's `errors`. */
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
