import { HttpStatus } from '@nestjs/common';

/**
 * A business failure with a stable snake_case `code`; the problem+json filter turns it into a response.
 * Services throw these; they never build HTTP responses themselves.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: HttpStatus,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, id: string) {
    super('not_found', HttpStatus.NOT_FOUND, 'Not Found', `No ${resource} with id "${id}".`);
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationFailedError extends DomainError {
  constructor(readonly errors: FieldError[]) {
    super('validation_failed', HttpStatus.BAD_REQUEST, 'Validation Failed', 'The request is invalid; see errors.');
  }
}

/** `startingAfter` is not an item of the list the caller may see (see `cursorAfter`). */
export function invalidCursorError(startingAfter: string): DomainError {
  return new DomainError(
    'invalid_cursor',
    HttpStatus.BAD_REQUEST,
    'Invalid cursor',
    `startingAfter ${startingAfter} is not an item of this list; pass the nextCursor of the previous page.`,
  );
}
