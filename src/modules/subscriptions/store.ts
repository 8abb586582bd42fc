import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { subscriptionItems, subscriptions } from './schema.ts';

export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type SubscriptionItemRow = typeof subscriptionItems.$inferSelect;
export type SubscriptionFilter = { customerId?: string | undefined; status?: SubscriptionRow['status'] | undefined };

export async function insertSubscription(q: Queryable, row: SubscriptionRow, items: SubscriptionItemRow[]): Promise<void> {
  await q.insert(subscriptions).values(row);
  await q.insert(subscriptionItems).values(items);
}

export async function findSubscription(q: Queryable, merchantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<SubscriptionRow | undefined> {
  const query = q.select().from(subscriptions).where(and(eq(subscriptions.merchantId, merchantId), eq(subscriptions.id, id)));
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

/** Items of several subscriptions, grouped by subscription id. */
export async function findItemsOf(q: Queryable, merchantId: string, ids: string[]): Promise<Map<string, SubscriptionItemRow[]>> {
  const out = new Map<string, SubscriptionItemRow[]>();
  if (ids.length === 0) return out;
  const rows = await q
    .select()
    .from(subscriptionItems)
    .where(and(eq(subscriptionItems.merchantId, merchantId), inArray(subscriptionItems.subscriptionId, ids)))
    .orderBy(asc(subscriptionItems.id));
  for (const r of rows) out.set(r.subscriptionId, [...(out.get(r.subscriptionId) ?? []), r]);
  return out;
}

export async function findSubscriptions(q: Queryable, merchantId: string, ids: string[]): Promise<SubscriptionRow[]> {
  if (ids.length === 0) return [];
  return q.select().from(subscriptions).where(and(eq(subscriptions.merchantId, merchantId), inArray(subscriptions.id, ids)));
}

export async function updateSubscription(q: Queryable, row: SubscriptionRow): Promise<SubscriptionRow> {
  const { merchantId, id, createdAt: _c, ...changes } = row;
  const [updated] = await q.update(subscriptions).set(changes).where(and(eq(subscriptions.merchantId, merchantId), eq(subscriptions.id, id))).returning();
  return updated!;
}

export async function replaceItems(q: Queryable, merchantId: string, subscriptionId: string, items: SubscriptionItemRow[]): Promise<void> {
  await q.delete(subscriptionItems).where(and(eq(subscriptionItems.merchantId, merchantId), eq(subscriptionItems.subscriptionId, subscriptionId)));
  await q.insert(subscriptionItems).values(items);
}


export async function listSubscriptions(q: Queryable, merchantId: string, f: SubscriptionFilter, page: PageParams): Promise<SubscriptionRow[]> {
  return q
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.merchantId, merchantId),
        f.customerId ? eq(subscriptions.customerId, f.customerId) : undefined,
        f.status ? eq(subscriptions.status, f.status) : undefined,
        pageWhere(subscriptions.id, page),
      ),
    )
    .orderBy(pageOrder(subscriptions.id, page))
    .limit(page.limit + 1);
}

/** A customer's subscriptions that are not canceled, oldest first. */
/** Every subscription of the customer as a span: when it started (created) and ended (null while not canceled). */
export async function subscriptionSpansOf(q: Queryable, merchantId: string, customerId: string): Promise<{ startedAt: Date; endedAt: Date | null }[]> {
  const rows = await q
    .select({ createdAt: subscriptions.createdAt, status: subscriptions.status, endedAt: subscriptions.endedAt, canceledAt: subscriptions.canceledAt })
    .from(subscriptions)
    .where(and(eq(subscriptions.merchantId, merchantId), eq(subscriptions.customerId, customerId)))
    .orderBy(subscriptions.createdAt);
  return rows.map((r) => ({ startedAt: r.createdAt, endedAt: r.status === 'canceled' ? (r.endedAt ?? r.canceledAt ?? r.createdAt) : null }));
}

export async function liveSubscriptionIdsOf(q: Queryable, merchantId: string, customerId: string): Promise<string[]> {
  const rows = await q
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.merchantId, merchantId), eq(subscriptions.customerId, customerId), ne(subscriptions.status, 'canceled')))
    .orderBy(subscriptions.id);
  return rows.map((r) => r.id);
}
