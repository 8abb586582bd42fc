// Many rows in one statement with one parameter: the rows travel as a JSON array and
// jsonb_to_recordset turns them back into typed columns. A multi-row VALUES list needs a parameter
// per cell (tens of thousands per batch) that PostgreSQL parses and plans anew every time.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from './client.ts';

export function bulkInsertSql<T extends PgTable>(table: T, rows: T['$inferInsert'][]): SQL {
  const columns = Object.entries(getTableColumns(table));
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(columns.map(([key, c]) => [c.name, (row as Record<string, unknown>)[key] ?? null]))));
  const names = sql.raw(columns.map(([, c]) => `"${c.name}"`).join(', '));
  const types = sql.raw(columns.map(([, c]) => `"${c.name}" ${c.getSQLType()}`).join(', '));
  return sql`insert into ${table} (${names}) select ${names} from jsonb_to_recordset(${json}::jsonb) as x(${types})`;
}

export async function bulkInsert<T extends PgTable>(q: Queryable, table: T, rows: T['$inferInsert'][]): Promise<void> {
  if (rows.length > 0) await q.execute(bulkInsertSql(table, rows));
}
