// Many rows in one statement with one array parameter per column: `unnest($1::text[], $2::int[], …)`
// turns them back into rows. A multi-row VALUES list needs a parameter per cell (tens of thousands
// per batch) that PostgreSQL parses and plans anew every time, and jsonb_to_recordset spends its
// time parsing JSON; typed arrays are the cheapest way in.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from './client.ts';

/** A column's values as node-postgres sends them in an array: dates as ISO text, JSON as text. */
function cell(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function bulkInsertSql<T extends PgTable>(table: T, rows: T['$inferInsert'][]): SQL {
  const columns = Object.entries(getTableColumns(table));
  const names = sql.raw(columns.map(([, c]) => `"${c.name}"`).join(', '));
  const arrays = columns.map(([key, c]) => {
    const values = rows.map((row) => cell((row as Record<string, unknown>)[key]));
    // jsonb arrays cannot be sent as text; cast each element after unnesting instead.
    const type = c.getSQLType();
    return type === 'jsonb' ? sql`${sql.param(values)}::text[]` : sql`${sql.param(values)}::${sql.raw(type)}[]`;
  });
  const casts = sql.raw(columns.map(([, c], i) => (c.getSQLType() === 'jsonb' ? `c${i}::jsonb` : `c${i}`)).join(', '));
  const aliases = sql.raw(columns.map((_, i) => `c${i}`).join(', '));
  return sql`insert into ${table} (${names}) select ${casts} from unnest(${sql.join(arrays, sql`, `)}) as x(${aliases})`;
}

export async function bulkInsert<T extends PgTable>(q: Queryable, table: T, rows: T['$inferInsert'][]): Promise<void> {
  if (rows.length > 0) await q.execute(bulkInsertSql(table, rows));
}
