/**
 * A model's fields and their snake_case columns. Typed against the Prisma-generated model, so a field
 * added to schema.prisma fails compilation here until its column is listed: plain SQL and the schema
 * cannot drift apart silently.
 */
export type ColumnMap<Model> = { readonly [Field in keyof Model]-?: string };

/**
 * `alias.column AS "prefix.field", …`: rows read with it have the model's field names (behind an optional
 * prefix, to read several tables in one row; see `pickPrefixed`) and pg's types (Date, number, object).
 */
export function selectList<Model>(columns: ColumnMap<Model>, alias: string, prefix = ''): string {
  return Object.entries<string>(columns)
    .map(([field, column]) => `${alias}.${column} AS "${prefix}${field}"`)
    .join(', ');
}

/** The fields of `row` selected with `prefix` (see selectList), without it; null when its `id` is null (an outer join found nothing). */
export function pickPrefixed<Model>(
  row: Record<string, unknown>,
  columns: ColumnMap<Model>,
  prefix: string,
): Model | null {
  if (row[`${prefix}id`] === null || row[`${prefix}id`] === undefined) return null;
  const picked: Record<string, unknown> = {};
  for (const field of Object.keys(columns)) picked[field] = row[`${prefix}${field}`];
  return picked as Model;
}

/**
 * `column = $n, …` for the given fields (undefined values are skipped, fields in a fixed order), numbered
 * from `firstParam`. Returns the clause, its values in order and `shape` (the fields set), which names
 * the statement so each combination is prepared once.
 */
export function setClause<Model>(
  columns: ColumnMap<Model>,
  changes: Partial<Model>,
  firstParam: number,
): { readonly clause: string; readonly values: unknown[]; readonly shape: string } {
  const fields = Object.keys(changes)
    .filter((field) => changes[field as keyof Model] !== undefined)
    .sort() as (keyof Model & string)[];
  return {
    clause: fields.map((field, index) => `${columns[field]} = $${firstParam + index}`).join(', '),
    values: fields.map((field) => changes[field]),
    shape: fields.join(','),
  };
}

/**
 * `json_build_object('field', alias.column, …)`: one row of a model as JSON, to aggregate a child table
 * into its parent's row (json_agg) instead of a second query. Read it back with `fromJson`.
 */
export function jsonObject<Model>(columns: ColumnMap<Model>, alias: string): string {
  return `json_build_object(${Object.entries<string>(columns)
    .map(([field, column]) => `'${field}', ${alias}.${column}`)
    .join(', ')})`;
}

/** A model row read back from `jsonObject`: timestamps arrive as ISO strings and become Dates again. */
export function fromJson<Model>(row: Record<string, unknown>, dateFields: readonly (keyof Model & string)[]): Model {
  const revived: Record<string, unknown> = { ...row };
  for (const field of dateFields) {
    const value = revived[field];
    if (typeof value === 'string') revived[field] = new Date(value);
  }
  return revived as Model;
}
