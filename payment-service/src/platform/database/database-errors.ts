import { DatabaseError } from 'pg';

/** SQLSTATE codes this service reacts to (PostgreSQL, Appendix A). */
const UNIQUE_VIOLATION = '23505';
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';

/** True for a unique-constraint violation (SQLSTATE 23505), optionally on a given column (constraints are named `<table>_<column>_key`). */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  return (
    error instanceof DatabaseError &&
    error.code === UNIQUE_VIOLATION &&
    (column === undefined || (error.constraint ?? '').includes(column))
  );
}

/** A write conflict or deadlock rolled the whole transaction back: the request can be retried as is. */
export function isRetryableConflict(error: unknown): boolean {
  return error instanceof DatabaseError && (error.code === SERIALIZATION_FAILURE || error.code === DEADLOCK_DETECTED);
}

/** No connection became free within the pool's connect timeout (pg-pool's own error): overloaded, not broken. */
export function isPoolExhausted(error: unknown): boolean {
  return error instanceof Error && error.message === 'timeout exceeded when trying to connect';
}
