import { and, eq, gte, lte, inArray, sql, type SQL } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { PgDialect, PgTransaction } from 'drizzle-orm/pg-core';
import type { Db, Queryable } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { events } from './schema.ts';

export type EventRow = typeof events.$inferSelect;
export type EventFilter = {
  types?: string[] | undefined;
  objectId?: string | undefined;
  createdGte?: Date | undefined;
  createdLte?: Date | undefined;
};

/**
 * One statement: the caller's change (if any), the event, and the fan-out that `tail` builds from
 * the CTEs before it. One round trip, atomic without a transaction of its own.
 */
export async function insertEventWith(
  q: Queryable,
  row: EventRow,
  change: SQL | undefined,
  tail: (before: SQL) => SQL,
): Promise<void> {
  const event = sql`
    recorded as (
      insert into events (merchant_id, id, type, api_version, livemode, object_id, data, created_at)
      values (${row.merchantId}, ${row.id}, ${row.type}, ${row.apiVersion}, ${row.livemode}, ${row.objectId},
        ${JSON.stringify(row.data)}::jsonb, ${row.createdAt.toISOString()}::timestamptz)
      returning merchant_id, id, type, created_at
    ),`;
  const statement = tail(change ? sql`change as (${change}), ${event}` : event);
  if (q instanceof PgTransaction) {
    await q.execute(statement);
    return;
  }
  // Outside a transaction this is every create's only round trip: run it as a named prepared
  // statement (one per statement shape), so PostgreSQL parses and plans the CTEs once per connection.
  const { sql: text, params } = dialect.sqlToQuery(statement);
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `event_with_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`));
  await (q as Db & { $client: pg.Pool }).$client.query({ name, text, values: params as unknown[] });
}

/**
 * Many events (and the changes in `change`, if any) in one statement inside the caller's
 * transaction: what a billing batch records for hundreds of invoices at once.
 */
export async function insertEventsWith(tx: Queryable, rows: EventRow[], tail: (before: SQL) => SQL): Promise<void> {
  if (rows.length === 0) return;
  // An invoice's created and finalized events carry the same object: each distinct payload is
  // sent and parsed into jsonb once (a materialised CTE), then joined to the events that share it.
  // The payloads travel as one JSON array, not a text[]: node-postgres escapes every quote of every
  // element into an array literal, which cost more than PostgreSQL's whole insert (bench:payments).
  const payloads: string[] = [];
  const payloadIndex = new Map<string, number>();
  const refs = rows.map((r) => {
    const text = JSON.stringify(r.data);
    let n = payloadIndex.get(text);
    if (n === undefined) payloadIndex.set(text, (n = payloads.push(text)));
    return n;
  });
  const col = <T>(f: (r: EventRow) => T) => sql.param(rows.map(f));
  await tx.execute(
    tail(sql`
    payloads as materialized (
      select p.n, p.data from jsonb_array_elements(${`[${payloads.join(',')}]`}::jsonb) with ordinality as p(data, n)
    ),
    recorded as (
      insert into events (merchant_id, id, type, api_version, livemode, object_id, data, created_at)
      select e.merchant_id, e.id, e.type, e.api_version, e.livemode, e.object_id, p.data, e.created_at
      from unnest(${col((r) => r.merchantId)}::text[], ${col((r) => r.id)}::text[], ${col((r) => r.type)}::text[],
        ${col((r) => r.apiVersion)}::text[], ${col((r) => r.livemode)}::boolean[], ${col((r) => r.objectId)}::text[],
        ${sql.param(refs)}::int[], ${col((r) => r.createdAt.toISOString())}::timestamptz[])
        as e(merchant_id, id, type, api_version, livemode, object_id, n, created_at)
      join payloads p on p.n = e.n
      returning merchant_id, id, type, created_at
    ),`),
  );
}

const dialect = new PgDialect();
const statementNames = new Map<string, string>();

export async function findEvent(q: Queryable, merchantId: string, id: string): Promise<EventRow | undefined> {
  const [row] = await q.select().from(events).where(and(eq(events.merchantId, merchantId), eq(events.id, id)));
  return row;
}

export async function listEvents(q: Queryable, merchantId: string, f: EventFilter, page: PageParams): Promise<EventRow[]> {
  return q
    .select()
    .from(events)
    .where(
      and(
        eq(events.merchantId, merchantId),
        f.types?.length ? inArray(events.type, f.types) : undefined,
        f.objectId ? eq(events.objectId, f.objectId) : undefined,
        f.createdGte ? gte(events.createdAt, f.createdGte) : undefined,
        f.createdLte ? lte(events.createdAt, f.createdLte) : undefined,
        pageWhere(events.id, page),
      ),
    )
    .orderBy(pageOrder(events.id, page))
    .limit(page.limit + 1);
}

/** Events of a merchant since a time, oldest first, at most `limit` (for webhook replays). */
export async function listEventIdsSince(q: Queryable, merchantId: string, since: Date, until: Date, limit: number) {
  return q
    .select({ id: events.id, type: events.type })
    .from(events)
    .where(and(eq(events.merchantId, merchantId), gte(events.createdAt, since), lte(events.createdAt, until)))
    .orderBy(events.id)
    .limit(limit);
}
