import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { invalidCursorError } from '../errors/domain-error';

export class PaginationQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Id of the last item of the previous page (its `nextCursor`). An id that is not an item of this list (for this caller) is a 400 `invalid_cursor`.',
  })
  @IsOptional()
  @IsUUID()
  startingAfter?: string;
}

export interface ListPage<T> {
  object: 'list';
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

interface Keyed {
  id: string;
  createdAt: Date;
}

/**
 * The row a page starts after: null for a first page, else what `find` returns for `startingAfter`.
 * `find` sees only what the caller may list, so an unknown id and someone else's id look the same.
 * @throws DomainError `invalid_cursor` (400) when `find` returns nothing: never a silent first page or empty page.
 */
export async function cursorAfter<Cursor>(
  startingAfter: string | undefined,
  find: (id: string) => Promise<Cursor | null | undefined>,
): Promise<Cursor | null> {
  if (startingAfter === undefined) return null;
  const cursor = await find(startingAfter);
  if (cursor === null || cursor === undefined) throw invalidCursorError(startingAfter);
  return cursor;
}

/**
 * Prisma `where` fragment selecting rows strictly after the cursor row in (createdAt DESC, id DESC):
 * `created_at <= c AND NOT (created_at = c AND id >= cursor id)`. Its first part is an index range on
 * (created_at, id), so a deep page reads what the first one does; the `OR` form (`created_at < c OR
 * (created_at = c AND id < cursor id)`) is not an index condition and reads every newer row.
 */
export function afterCursor(cursor: Keyed | null): object {
  if (!cursor) return {};
  return { createdAt: { lte: cursor.createdAt }, NOT: { createdAt: cursor.createdAt, id: { gte: cursor.id } } };
}

export const LIST_ORDER = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/**
 * Prisma arguments for a `createdAt DESC, id DESC` page (one extra row tells whether more exist), after
 * checking the cursor with `find` (see `cursorAfter`).
 */
export async function pageArgs({ limit, startingAfter }: PaginationQuery, find: (id: string) => Promise<unknown>) {
  const cursor = await cursorAfter(startingAfter, find);
  return {
    orderBy: LIST_ORDER,
    take: limit + 1,
    ...(cursor !== null && startingAfter ? { cursor: { id: startingAfter }, skip: 1 } : {}),
  };
}

/** Builds a page from `limit + 1` fetched rows; `page` is the query or its limit. */
export function toPage<Row extends { id: string }, T>(
  rows: Row[],
  page: number | Pick<PaginationQuery, 'limit'>,
  map: (row: Row) => T,
): ListPage<T> {
  const limit = typeof page === 'number' ? page : page.limit;
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    object: 'list',
    data: pageRows.map(map),
    hasMore,
    nextCursor: hasMore ? pageRows[pageRows.length - 1].id : null,
  };
}
