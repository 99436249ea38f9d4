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

  @ApiPropertyOptional({ format: 'uuid', description: 'Return items after this id (the previous page\'s `nextCursor`).' })
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

/** Prisma arguments for a `createdAt DESC, id DESC` page; one extra row tells whether more exist. */
export function pageArgs({ limit, startingAfter }: PaginationQuery) {
  return {
    orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
    take: limit + 1,
    ...(startingAfter ? { cursor: { id: startingAfter }, skip: 1 } : {}),
  };
}

export function toPage<Row extends { id: string }, T>(rows: Row[], { limit }: PaginationQuery, map: (row: Row) => T): ListPage<T> {
  const hasMore = rows.length > limit;
  const pageRows = rows.slice(0, limit);
  return {
    object: 'list',
    data: pageRows.map(map),
    hasMore,
    nextCursor: hasMore ? pageRows[pageRows.length - 1].id : null,
  };
}
