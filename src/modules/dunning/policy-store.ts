// Queries of dunning policies.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { dunningPolicies } from './schema.ts';

export type PolicyRow = typeof dunningPolicies.$inferSelect;

export async function findPolicy(q: Queryable, merchantId: string, id: string): Promise<PolicyRow | undefined> {
  const [row] = await q.select().from(dunningPolicies).where(and(eq(dunningPolicies.merchantId, merchantId), eq(dunningPolicies.id, id)));
  return row;
}

export async function findDefault(q: Queryable, merchantId: string): Promise<PolicyRow | undefined> {
  const [row] = await q.select().from(dunningPolicies).where(and(eq(dunningPolicies.merchantId, merchantId), eq(dunningPolicies.isDefault, true)));
  return row;
}

export async function findInstalmentPolicy(q: Queryable, merchantId: string): Promise<PolicyRow | undefined> {
  const [row] = await q.select().from(dunningPolicies).where(and(eq(dunningPolicies.merchantId, merchantId), eq(dunningPolicies.purpose, 'payment_plan')));
  return row;
}

/** Inserts the default unless the merchant has one (a concurrent insert loses quietly on the unique default key). */
export async function insertDefaultIfMissing(tx: Tx, row: PolicyRow): Promise<void> {
  await tx.insert(dunningPolicies).values(row).onConflictDoNothing();
}

export async function insertPolicy(tx: Tx, row: PolicyRow): Promise<void> {
  await tx.insert(dunningPolicies).values(row);
}

export async function updatePolicy(tx: Tx, row: PolicyRow): Promise<void> {
  await tx
    .update(dunningPolicies)
    .set({ name: row.name, steps: row.steps, rules: row.rules, isDefault: row.isDefault, metadata: row.metadata, updatedAt: row.updatedAt })
    .where(and(eq(dunningPolicies.merchantId, row.merchantId), eq(dunningPolicies.id, row.id)));
}

/** The current default stops being one (before another becomes it, in the same transaction). */
export async function clearDefault(tx: Tx, merchantId: string, now: Date): Promise<void> {
  await tx.update(dunningPolicies).set({ isDefault: false, updatedAt: now }).where(and(eq(dunningPolicies.merchantId, merchantId), eq(dunningPolicies.isDefault, true)));
}

/** Serialises changes of one merchant's default (two requests making different policies default). */
export async function lockMerchantPolicies(tx: Tx, merchantId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('dunning_policies'), hashtext(${merchantId}))`);
}

export async function listPolicies(q: Queryable, merchantId: string, page: PageParams): Promise<PolicyRow[]> {
  return q
    .select()
    .from(dunningPolicies)
    .where(and(eq(dunningPolicies.merchantId, merchantId), pageWhere(dunningPolicies.id, page)))
    .orderBy(pageOrder(dunningPolicies.id, page))
    .limit(page.limit + 1);
}

/** Policies by id, for the sweep (one query for a batch). */
export async function findPolicies(q: Queryable, merchantId: string, ids: string[]): Promise<PolicyRow[]> {
  if (ids.length === 0) return [];
  return q.select().from(dunningPolicies).where(and(eq(dunningPolicies.merchantId, merchantId), inArray(dunningPolicies.id, ids)));
}
