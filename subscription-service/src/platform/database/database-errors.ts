import { DatabaseError } from 'pg';
import { Prisma } from '../../generated/prisma/client';

/** SQLSTATE codes this service reacts to (PostgreSQL, Appendix A). */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';

/**
 * True when the error is a unique-constraint violation, raised by `pg` (SQLSTATE 23505) or by Prisma
 * (P2002), optionally on a given column. Constraint names follow Prisma's `<table>_<column>_key`.
 */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  if (error instanceof DatabaseError && error.code === UNIQUE_VIOLATION) {
    return column === undefined || (error.constraint ?? '').includes(column);
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
    return column === undefined || JSON.stringify(error.meta ?? {}).includes(column);
  }
  return false;
}

/** True for a foreign-key violation (SQLSTATE 23503), optionally on a given column. */
export function isForeignKeyViolation(error: unknown, column?: string): boolean {
  return (
    error instanceof DatabaseError &&
    error.code === FOREIGN_KEY_VIOLATION &&
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
