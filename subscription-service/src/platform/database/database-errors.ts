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

/**
 * SQLSTATEs of a value its column cannot hold (PostgreSQL, Appendix A): too long for a varchar (22001), out of an
 * integer's range (22003), not a valid literal (22P02, 22007, 22009), a date out of range (22008), a character text
 * cannot hold (22021: NUL; 22P05: "\u0000" or a lone surrogate in JSON), an index entry too large (54000).
 */
const VALUE_REJECTED_SQLSTATES = new Set([
  '22001',
  '22003',
  '22007',
  '22008',
  '22009',
  '22021',
  '22P02',
  '22P05',
  '54000',
]);
/** Prisma's codes for the same: value too long (P2000), invalid value (P2007), out of range (P2020), not a 64-bit integer (P2033). */
const VALUE_REJECTED_PRISMA_CODES = new Set(['P2000', 'P2007', 'P2020', 'P2033']);

/**
 * True when the database refused a value from the request because its column cannot hold it (see the SQLSTATEs
 * above), raised by `pg` or by Prisma (its own code, or a raw PostgreSQL error it passes on as P2039 with the
 * SQLSTATE in `meta.driverAdapterError.cause.originalCode`). Validation should have refused the value first; this
 * is the safety net that turns a missed bound into a 400 instead of a 500.
 */
export function isValueRejectedByColumn(error: unknown): boolean {
  if (error instanceof DatabaseError) return VALUE_REJECTED_SQLSTATES.has(error.code ?? '');
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (VALUE_REJECTED_PRISMA_CODES.has(error.code)) return true;
  const adapterError = error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined;
  const sqlState = adapterError?.cause?.originalCode;
  return typeof sqlState === 'string' && VALUE_REJECTED_SQLSTATES.has(sqlState);
}
