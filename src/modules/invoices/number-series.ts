// Gap-free numbers: the counter row is incremented inside the caller's transaction and stays
// locked until it commits, so a rollback gives the numbers back and concurrent finalisations of
// one merchant take turns. (A PostgreSQL sequence would skip numbers on rollback.)
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';

/** Reserves `count` consecutive numbers of a series and returns the first. */
export async function allocate(tx: Queryable, merchantId: string, series: string, count: number): Promise<number> {
  return (await allocateEach(tx, merchantId, [{ series, count }]))[0]!;
}

/**
 * Reserves numbers of several series in one statement (an invoice's number and its OCR reference):
 * the counters are locked from here to commit, so one round trip less inside that serial section.
 * Callers list the series in one order (number before OCR), so two transactions never lock them
 * the other way round.
 */
export async function allocateEach(tx: Queryable, merchantId: string, wanted: { series: string; count: number }[]): Promise<number[]> {
  const values = sql.join(wanted.map((w) => sql`(${merchantId}, ${w.series}, ${w.count})`), sql`, `);
  const result = await tx.execute(sql`
    insert into number_series (merchant_id, series, last_value) values ${values}
    on conflict (merchant_id, series) do update set last_value = number_series.last_value + excluded.last_value
    returning series, last_value`);
  const last = new Map((result.rows as { series: string; last_value: string | number }[]).map((r) => [r.series, Number(r.last_value)]));
  return wanted.map((w) => last.get(w.series)! - w.count + 1);
}

/** How many numbers of a series have been handed out (0 before the first). */
export async function issuedCount(q: Queryable, merchantId: string, series: string): Promise<number> {
  const result = await q.execute(sql`select last_value from number_series where merchant_id = ${merchantId} and series = ${series}`);
  return Number((result.rows[0] as { last_value?: string | number } | undefined)?.last_value ?? 0);
}
