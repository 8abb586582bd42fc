// Gap-free numbers: the counter row is incremented inside the caller's transaction and stays
// locked until it commits, so a rollback gives the numbers back and concurrent finalisations of
// one merchant take turns. (A PostgreSQL sequence would skip numbers on rollback.)
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';

/** Reserves `count` consecutive numbers of a series and returns the first. */
export async function allocate(tx: Queryable, merchantId: string, series: string, count: number): Promise<number> {
  const result = await tx.execute(sql`
    insert into number_series (merchant_id, series, last_value) values (${merchantId}, ${series}, ${count})
    on conflict (merchant_id, series) do update set last_value = number_series.last_value + excluded.last_value
    returning last_value`);
  const last = Number((result.rows[0] as { last_value: string | number }).last_value);
  return last - count + 1;
}

/** How many numbers of a series have been handed out (0 before the first). */
export async function issuedCount(q: Queryable, merchantId: string, series: string): Promise<number> {
  const result = await q.execute(sql`select last_value from number_series where merchant_id = ${merchantId} and series = ${series}`);
  return Number((result.rows[0] as { last_value?: string | number } | undefined)?.last_value ?? 0);
}
