import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { testClocks } from './schema.ts';

export type TestClockRow = typeof testClocks.$inferSelect;

export async function insertTestClock(q: Queryable, row: TestClockRow): Promise<void> {
  await q.insert(testClocks).values(row);
}

export async function findTestClock(q: Queryable, merchantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<TestClockRow | undefined> {
  const query = q.select().from(testClocks).where(and(eq(testClocks.merchantId, merchantId), eq(testClocks.id, id)));
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function updateTestClock(q: Queryable, row: TestClockRow): Promise<TestClockRow> {
  const { merchantId, id, createdAt: _c, ...changes } = row;
  const [updated] = await q.update(testClocks).set(changes).where(and(eq(testClocks.merchantId, merchantId), eq(testClocks.id, id))).returning();
  return updated!;
}

export async function listTestClocks(q: Queryable, merchantId: string, page: PageParams): Promise<TestClockRow[]> {
  return q
    .select()
    .from(testClocks)
    .where(and(eq(testClocks.merchantId, merchantId), pageWhere(testClocks.id, page)))
    .orderBy(pageOrder(testClocks.id, page))
    .limit(page.limit + 1);
}

export async function deleteTestClock(q: Queryable, merchantId: string, id: string): Promise<void> {
  await q.delete(testClocks).where(and(eq(testClocks.merchantId, merchantId), eq(testClocks.id, id)));
}

/** Clocks left 'advancing' by a crashed worker, oldest first (any merchant). */
export async function listAdvancingClocks(q: Queryable, limit: number): Promise<{ merchantId: string; id: string }[]> {
  return q
    .select({ merchantId: testClocks.merchantId, id: testClocks.id })
    .from(testClocks)
    .where(eq(testClocks.status, 'advancing'))
    .orderBy(testClocks.updatedAt)
    .limit(limit);
}
