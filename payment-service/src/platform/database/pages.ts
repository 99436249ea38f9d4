/** The last row of the previous page in (created_at DESC, id DESC) order. */
export interface Cursor {
  readonly createdAt: Date;
  readonly id: string;
}

export interface PageQuery {
  /** `WHERE …` (or empty) over the given filters and the cursor. */
  readonly where: string;
  /** `$n` of the LIMIT parameter (the last of `values`). */
  readonly limitParam: string;
  readonly values: unknown[];
  /** Which filters and whether a cursor are present, e.g. `user_id.status.cursor`: names one statement shape. */
  readonly shape: string;
}

/**
 * The WHERE clause of a keyset page on `alias`: an equality per filter that has a value (absent ones are
 * left out, so each combination is its own prepared statement with its own plan) and, after a cursor,
 * `(created_at, id) < (cursor)`, which PostgreSQL uses as an index condition (an `OR` of the two columns
 * is not one). Column names come from the caller's code, never from input.
 */
export function pageQuery(
  alias: string,
  filters: ReadonlyArray<readonly [column: string, value: unknown]>,
  cursor: Cursor | null,
  limit: number,
): PageQuery {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const shape: string[] = [];
  for (const [column, value] of filters) {
    if (value === undefined || value === null) continue;
    values.push(value);
    conditions.push(`${alias}.${column} = $${values.length}`);
    shape.push(column);
  }
  if (cursor) {
    values.push(cursor.createdAt, cursor.id);
    conditions.push(`(${alias}.created_at, ${alias}.id) < ($${values.length - 1}, $${values.length}::uuid)`);
    shape.push('cursor');
  }
  values.push(limit);
  return {
    where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '',
    limitParam: `$${values.length}`,
    values,
    shape: shape.join('.') || 'all',
  };
}
