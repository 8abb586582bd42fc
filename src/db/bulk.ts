// Many rows in one statement with one parameter per column: `rows from (unnest($1::text[]),
// unnest($2::int[]), jsonb_array_elements($3::jsonb), …)` turns them back into rows. A multi-row
// VALUES list needs a parameter per cell (tens of thousands per batch) that PostgreSQL parses and
// plans anew every time, and jsonb_to_recordset spends its time parsing JSON; typed arrays (and one
// JSON array per jsonb column) are the cheapest way in.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from './client.ts';

/** A column's values as node-postgres sends them in an array: dates as ISO text. */
function cell(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.toISOString();
  return v;
}

export function bulkInsertSql<T extends PgTable>(table: T, rows: T['$inferInsert'][]): SQL {
  const columns = Object.entries(getTableColumns(table));
  const names = sql.raw(columns.map(([, c]) => `"${c.name}"`).join(', '));
  // jsonb columns travel as one JSON array each, unpacked by jsonb_array_elements: as a text[],
  // node-postgres would escape every quote of every value into an array literal, which costs more
  // than the insert. ROWS FROM zips the functions' rows by position.
  const sources = columns.map(([key, c]) => {
    const values = rows.map((row) => (row as Record<string, unknown>)[key]);
    const type = c.getSQLType();
    if (type === 'jsonb') return sql`jsonb_array_elements(${JSON.stringify(values.map((v) => v ?? null))}::jsonb)`;
    return sql`unnest(${sql.param(values.map(cell))}::${sql.raw(type)}[])`;
  });
  // A JSON null element is the jsonb value 'null', not SQL NULL: a nullable jsonb column gets NULL back.
  const selects = sql.raw(columns.map(([, c], i) => (c.getSQLType() === 'jsonb' ? `nullif(c${i}, 'null'::jsonb)` : `c${i}`)).join(', '));
  const aliases = sql.raw(columns.map((_, i) => `c${i}`).join(', '));
  return sql`insert into ${table} (${names}) select ${selects} from rows from (${sql.join(sources, sql`, `)}) as x(${aliases})`;
}

export async function bulkInsert<T extends PgTable>(q: Queryable, table: T, rows: T['$inferInsert'][]): Promise<void> {
  if (rows.length > 0) await q.execute(bulkInsertSql(table, rows));
}

/**
 * Rows of `table` read by hand-written SQL (`select t.*`), decoded the way drizzle's own selects
 * decode them (timestamps to Date, bigints to number, …).
 */
export function decodeRows<T extends PgTable>(table: T, raw: Record<string, unknown>[]): T['$inferSelect'][] {
  const columns = Object.entries(getTableColumns(table));
  return raw.map((r) => Object.fromEntries(columns.map(([key, c]) => [key, r[c.name] === null || r[c.name] === undefined ? null : c.mapFromDriverValue(r[c.name])])) as T['$inferSelect']);
}

/**
 * `column = any($1::text[])`: a batch's keys as one array parameter. drizzle's inArray sends one
 * parameter per value, a statement PostgreSQL parses and plans anew for every batch of thousands.
 */
export function anyText(column: PgColumn, values: Iterable<string>): SQL {
  return sql`${column} = any(${sql.param([...new Set(values)])}::text[])`;
}
