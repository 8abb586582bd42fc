// Cursor pagination by id. Ids sort by creation time, so "newest first, after this id" is a range
// scan on the (merchant_id, id) primary key, and rows inserted meanwhile never shift a later page.
import { asc, desc, gt, lt, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

export type PageParams = { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined };
export type Page<T> = { data: T[]; hasMore: boolean };

export function pageWhere(id: PgColumn, page: PageParams): SQL | undefined {
  if (page.endingBefore) return gt(id, page.endingBefore);
  if (page.startingAfter) return lt(id, page.startingAfter);
  return undefined;
}

/** `ending_before` walks towards newer rows, so it reads ascending and flips the result. */
export function pageOrder(id: PgColumn, page: PageParams): SQL {
  return page.endingBefore ? asc(id) : desc(id);
}

/** Rows were fetched with limit + 1: the extra one only tells that there is more. */
export function toPage<T>(rows: T[], page: PageParams): Page<T> {
  const hasMore = rows.length > page.limit;
  const data = hasMore ? rows.slice(0, page.limit) : rows;
  return { data: page.endingBefore ? data.reverse() : data, hasMore };
}
