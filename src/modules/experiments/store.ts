// Queries of experiments.
import { and, desc, eq } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { experiments } from './schema.ts';

export type ExperimentRow = typeof experiments.$inferSelect;

/** Inserts a running experiment unless the merchant has one running (the partial unique key): false then. */
export async function insertIfNoneRunning(tx: Tx, row: ExperimentRow): Promise<boolean> {
  const inserted = await tx.insert(experiments).values(row).onConflictDoNothing().returning({ id: experiments.id });
  return inserted.length > 0;
}

export async function findRunning(q: Queryable, merchantId: string): Promise<ExperimentRow | undefined> {
  const [row] = await q.select().from(experiments).where(and(eq(experiments.merchantId, merchantId), eq(experiments.status, 'running')));
  return row;
}

export async function findExperiment(q: Queryable, merchantId: string, id: string, o: { forUpdate?: boolean } = {}): Promise<ExperimentRow | undefined> {
  const query = q.select().from(experiments).where(and(eq(experiments.merchantId, merchantId), eq(experiments.id, id)));
  const [row] = o.forUpdate ? await query.for('update') : await query;
  return row;
}

/** The experiment in force: the merchant's newest (running, or stopped with its winner applying). */
export async function findLatest(q: Queryable, merchantId: string): Promise<ExperimentRow | undefined> {
  const [row] = await q.select().from(experiments).where(eq(experiments.merchantId, merchantId)).orderBy(desc(experiments.id)).limit(1);
  return row;
}

export async function updateExperiment(tx: Tx, row: ExperimentRow): Promise<void> {
  await tx
    .update(experiments)
    .set({ status: row.status, winner: row.winner, stoppedAt: row.stoppedAt, updatedAt: row.updatedAt })
    .where(and(eq(experiments.merchantId, row.merchantId), eq(experiments.id, row.id)));
}

export async function listExperiments(q: Queryable, merchantId: string, filter: { status?: ExperimentRow['status'] | undefined }, page: PageParams): Promise<ExperimentRow[]> {
  return q
    .select()
    .from(experiments)
    .where(and(eq(experiments.merchantId, merchantId), filter.status ? eq(experiments.status, filter.status) : undefined, pageWhere(experiments.id, page)))
    .orderBy(pageOrder(experiments.id, page))
    .limit(page.limit + 1);
}
