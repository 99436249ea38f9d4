import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export class PaginationQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;

  @ApiPropertyOptional({ format: 'uuid', description: 'Id of the last item of the previous page (its nextCursor).' })
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

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<Row extends Keyed, T>(rows: Row[], limit: number, map: (row: Row) => T): ListPage<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    object: 'list',
    data: pageRows.map(map),
    hasMore,
    nextCursor: hasMore ? pageRows[pageRows.length - 1].id : null,
  };
}
