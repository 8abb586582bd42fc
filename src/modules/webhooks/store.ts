import { and, eq, desc, lt, gt, asc, sql, ne, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './schema.ts';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;

/** LISTEN channel the delivery workers wake on; NOTIFY is transactional, so it fires on commit. */
export const WAKE_CHANNEL = 'omtanke_webhooks';

/**
 * One delivery per enabled endpoint that wants each event, as the tail of the statement that
 * records the events (`before` holds its CTEs; `recorded` returns the new events' merchant_id, id,
 * type and created_at), so a change, its events and their deliveries are one atomic statement.
 * Workers are woken (NOTIFY fires on commit) only when there is work.
 */
export function fanOutStatement(before: SQL): SQL {
  return sql`
    with ${before}
    fanout as (
      insert into webhook_deliveries (merchant_id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
      select e.merchant_id, e.id, r.id, 'pending', 0, r.created_at, r.created_at
      from recorded r
      join webhook_endpoints e on e.merchant_id = r.merchant_id and e.status = 'enabled'
        and (e.enabled_events @> array['*'] or r.type = any(e.enabled_events))
      returning 1
    )
    select c.n, (select pg_notify(${WAKE_CHANNEL}, '') where c.n > 0)::text as woke
    from (select count(*)::int as n from fanout) c`;
}

export async function insertEndpoint(q: Queryable, row: EndpointRow): Promise<void> {
  await q.insert(webhookEndpoints).values(row);
}

/** Stored secrets to seal: plaintext ones (`whsec_…`), or any not sealed under the current key. */
export type SecretFilter = { plaintextPrefix: string } | { notSealedUnder: string };
export type StoredSecrets = { merchantId: string; id: string; secret: string; previousSecret: string | null };

/** Endpoints (deleted ones too) whose secrets match `filter`, in key order after `after`. */
export async function listStoredSecrets(q: Queryable, filter: SecretFilter, after: { merchantId: string; id: string } | undefined, limit: number): Promise<StoredSecrets[]> {
  const like = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const e = webhookEndpoints;
  const match =
    'plaintextPrefix' in filter
      ? sql`(${e.secret} like ${like(filter.plaintextPrefix)} or ${e.previousSecret} like ${like(filter.plaintextPrefix)})`
      : sql`(${e.secret} not like ${like(filter.notSealedUnder)} or ${e.previousSecret} not like ${like(filter.notSealedUnder)})`;
  return q
    .select({ merchantId: e.merchantId, id: e.id, secret: e.secret, previousSecret: e.previousSecret })
    .from(e)
    .where(and(match, after ? sql`(${e.merchantId}, ${e.id}) > (${after.merchantId}, ${after.id})` : undefined))
    .orderBy(asc(e.merchantId), asc(e.id))
    .limit(limit);
}

/** Replaces an endpoint's stored secrets, only if they are still what was read (false: changed meanwhile). */
export async function replaceStoredSecrets(q: Queryable, was: StoredSecrets, next: { secret: string; previousSecret: string | null }): Promise<boolean> {
  const res = await q.execute(sql`
    update webhook_endpoints set secret = ${next.secret}, previous_secret = ${next.previousSecret}
    where merchant_id = ${was.merchantId} and id = ${was.id}
      and secret = ${was.secret} and previous_secret is not distinct from ${was.previousSecret}::text`);
  return (res.rowCount ?? 0) > 0;
}

export async function findEndpoint(q: Queryable, merchantId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  const query = q
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, id), ne(webhookEndpoints.status, 'deleted')));
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function updateEndpoint(q: Queryable, row: EndpointRow): Promise<EndpointRow> {
  const { merchantId, id, createdAt: _c, ...changes } = row;
  const [updated] = await q
    .update(webhookEndpoints)
    .set(changes)
    .where(and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, id)))
    .returning();
  return updated!;
}

export async function listEndpoints(q: Queryable, merchantId: string, page: { limit: number; startingAfter?: string | undefined }) {
  return q
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.merchantId, merchantId),
        ne(webhookEndpoints.status, 'deleted'),
        page.startingAfter ? lt(webhookEndpoints.id, page.startingAfter) : undefined,
      ),
    )
    .orderBy(desc(webhookEndpoints.id))
    .limit(page.limit + 1);
}

export async function listDeliveries(
  q: Queryable,
  merchantId: string,
  f: { endpointId?: string | undefined; eventId?: string | undefined; status?: DeliveryRow['status'] | undefined },
  page: { limit: number; startingAfter?: string | undefined },
) {
  // Per endpoint the page key is the event id (newest first); per event it is the endpoint id.
  const key = f.endpointId ? webhookDeliveries.eventId : webhookDeliveries.endpointId;
  return q
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.merchantId, merchantId),
        f.endpointId ? eq(webhookDeliveries.endpointId, f.endpointId) : undefined,
        f.eventId ? eq(webhookDeliveries.eventId, f.eventId) : undefined,
        f.status ? eq(webhookDeliveries.status, f.status) : undefined,
        page.startingAfter ? lt(key, page.startingAfter) : undefined,
      ),
    )
    .orderBy(desc(key))
    .limit(page.limit + 1);
}

export async function findDelivery(q: Queryable, merchantId: string, endpointId: string, eventId: string) {
  const [row] = await q
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.eventId, eventId)));
  return row;
}

/** Makes a delivery due now again (manual retry or replay); creates it when it never existed. */
export async function requeueDelivery(q: Queryable, merchantId: string, endpointId: string, eventId: string, now: Date): Promise<DeliveryRow> {
  const [row] = await q
    .insert(webhookDeliveries)
    .values({ merchantId, endpointId, eventId, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now })
    .onConflictDoUpdate({
      target: [webhookDeliveries.merchantId, webhookDeliveries.endpointId, webhookDeliveries.eventId],
      set: { status: 'pending', attempts: 0, nextAttemptAt: now, deliveredAt: null },
    })
    .returning();
  return row!;
}

export async function listAttempts(q: Queryable, merchantId: string, endpointId: string, eventId: string, page: { limit: number; startingAfter?: string | undefined }) {
  return q
    .select()
    .from(webhookAttempts)
    .where(
      and(
        eq(webhookAttempts.merchantId, merchantId),
        eq(webhookAttempts.endpointId, endpointId),
        eq(webhookAttempts.eventId, eventId),
        page.startingAfter ? gt(webhookAttempts.id, page.startingAfter) : undefined,
      ),
    )
    .orderBy(asc(webhookAttempts.id))
    .limit(page.limit + 1);
}

/**
 * A test clock jumped `ms` ahead: pending deliveries of events about its customers (the customers,
 * their subscriptions, invoices and credit notes) fall due that much sooner, as if the time had
 * passed for their retry schedule too. Wakes the delivery workers. Rows locked by someone else are
 * skipped, never waited for (so the clock's transaction cannot deadlock with the workers): such a
 * delivery is being claimed, sent or recorded right now, and its outcome sets its next time.
 */
export async function pullForwardForTestClock(q: Queryable, merchantId: string, testClockId: string, ms: number): Promise<number> {
  const result = await q.execute(sql`
    with clock_customers as (
      select id from customers where merchant_id = ${merchantId} and test_clock_id = ${testClockId}
    ), objects as (
      select id from clock_customers
      union all select id from subscriptions where merchant_id = ${merchantId} and customer_id in (select id from clock_customers)
      union all select id from invoices where merchant_id = ${merchantId} and customer_id in (select id from clock_customers)
      union all select id from credit_notes where merchant_id = ${merchantId} and customer_id in (select id from clock_customers)
    ), locked as (
      select d.merchant_id, d.endpoint_id, d.event_id from webhook_deliveries d
      join events e on d.merchant_id = e.merchant_id and d.event_id = e.id
      where e.merchant_id = ${merchantId} and e.object_id in (select id from objects) and d.status = 'pending'
      order by d.merchant_id, d.endpoint_id, d.event_id
      for update of d skip locked
    ), moved as (
      update webhook_deliveries d set next_attempt_at = d.next_attempt_at - make_interval(secs => ${ms / 1000})
      from locked l
      where d.merchant_id = l.merchant_id and d.endpoint_id = l.endpoint_id and d.event_id = l.event_id and d.status = 'pending'
      returning 1
    )
    select c.n, (select pg_notify(${WAKE_CHANNEL}, '') where c.n > 0)::text as woke from (select count(*)::int as n from moved) c`);
  return (result.rows[0] as { n: number }).n;
}
