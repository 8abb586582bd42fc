// Queries of the delivery worker. Claims are short statements that commit at once: no
// transaction is ever held open across an HTTP call.
//
// Lock order: every statement that changes several delivery rows locks them first, in a CTE,
// ordered by the primary key (merchant_id, endpoint_id, event_id), and endpoint rows (if at all)
// only after its delivery rows, ordered by (merchant_id, id). Statements that need not wait (the
// claim here, a test clock's pull-forward in store.ts) skip locked rows instead. So no two of them
// can wait on each other in a cycle: no deadlocks between workers, clocks and API calls.
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { webhookAttempts } from './schema.ts';
import type { AttemptRow } from './store.ts';

export type Claimed = {
  merchant_id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  event_type: string;
  api_version: string;
  livemode: boolean;
  data: Record<string, unknown>;
  event_created_at: Date;
};

/**
 * Leases up to `batch` due deliveries, at most `perEndpoint` in flight per endpoint across all
 * workers, so one slow endpoint cannot take every slot. Each endpoint's due deliveries are read
 * by their own index range (a backlog on one endpoint never hides another's). `now` is business
 * time (when a delivery is due); `wall` is real time (leases outlive a crashed worker by real
 * seconds). The rows are locked in key order, skipping rows another statement holds (those are
 * being claimed, recorded or moved right now), and the lease is re-checked on the locked row, so
 * two workers racing claim each row once and never wait on each other.
 */
export async function claimDue(db: Db, o: { now: Date; wall: Date; leaseUntil: Date; batch: number; perEndpoint: number }): Promise<Claimed[]> {
  const wall = o.wall.toISOString();
  const res = await db.execute<Claimed>(sql`
    with busy as (
      select merchant_id, endpoint_id, count(*)::int as n from webhook_deliveries
      where status = 'pending' and lease_until is not null and lease_until > ${wall}::timestamptz
      group by 1, 2
    ), pick as (
      select d.merchant_id, d.endpoint_id, d.event_id
      from webhook_endpoints e
      left join busy b on b.merchant_id = e.merchant_id and b.endpoint_id = e.id
      cross join lateral (
        select d.merchant_id, d.endpoint_id, d.event_id, d.next_attempt_at from webhook_deliveries d
        where d.merchant_id = e.merchant_id and d.endpoint_id = e.id and d.status = 'pending'
          and d.next_attempt_at <= ${o.now.toISOString()}::timestamptz
          and (d.lease_until is null or d.lease_until < ${wall}::timestamptz)
        order by d.next_attempt_at
        limit greatest(${o.perEndpoint}::int - coalesce(b.n, 0), 0)
      ) d
      where e.status = 'enabled'
      order by d.next_attempt_at
      limit ${o.batch}
    ), locked as (
      select d.merchant_id, d.endpoint_id, d.event_id from webhook_deliveries d
      join pick p on d.merchant_id = p.merchant_id and d.endpoint_id = p.endpoint_id and d.event_id = p.event_id
      where d.status = 'pending' and (d.lease_until is null or d.lease_until < ${wall}::timestamptz)
      order by d.merchant_id, d.endpoint_id, d.event_id
      for update of d skip locked
    )
    update webhook_deliveries d
    set lease_until = ${o.leaseUntil.toISOString()}::timestamptz, attempts = d.attempts + 1
    from locked l, events ev, webhook_endpoints e
    where d.merchant_id = l.merchant_id and d.endpoint_id = l.endpoint_id and d.event_id = l.event_id
      and d.status = 'pending' and (d.lease_until is null or d.lease_until < ${wall}::timestamptz)
      and ev.merchant_id = d.merchant_id and ev.id = d.event_id
      and e.merchant_id = d.merchant_id and e.id = d.endpoint_id
    returning d.merchant_id, d.endpoint_id, d.event_id, d.attempts, e.url, e.secret, e.previous_secret,
      e.previous_secret_expires_at, ev.type as event_type, ev.api_version, ev.livemode, ev.data,
      ev.created_at as event_created_at`);
  return res.rows.map((r) => ({
    ...r,
    previous_secret_expires_at: r.previous_secret_expires_at ? new Date(r.previous_secret_expires_at) : null,
    event_created_at: new Date(r.event_created_at),
  }));
}

export type Success = {
  merchantId: string;
  endpointId: string;
  eventId: string;
  attempts: number;
  attemptId: string;
  url: string;
  statusCode: number;
  latencyMs: number;
  excerpt: string | null;
};

/**
 * Records a batch of successful attempts in one statement (atomic on its own): deliveries marked
 * delivered, their attempts inserted, and failing endpoints cleared. A success whose claim was lost
 * (another worker took over after the lease ran out) matches no row and records nothing.
 * Idempotent: run again (after a failure that may or may not have committed), it records nothing
 * twice, since a delivered row no longer matches its claim and attempt ids are the batch's own.
 * Delivery rows are locked in key order, then endpoint rows in key order (see the top).
 */
export async function recordSuccesses(db: Db, rows: Success[], now: Date): Promise<number> {
  // One array parameter per column (sql.param: drizzle would otherwise expand an array into a list).
  const col = <K extends keyof Success>(k: K) => sql.param(rows.map((r) => r[k]));
  const at = now.toISOString();
  const res = await db.execute<{ n: number }>(sql`
    with r as (
      select * from unnest(
        ${col('merchantId')}::text[], ${col('endpointId')}::text[], ${col('eventId')}::text[], ${col('attempts')}::int[],
        ${col('attemptId')}::text[], ${col('url')}::text[], ${col('statusCode')}::int[], ${col('latencyMs')}::int[], ${col('excerpt')}::text[]
      ) as r(merchant_id, endpoint_id, event_id, attempts, attempt_id, url, status_code, latency_ms, excerpt)
    ), locked as (
      select r.* from webhook_deliveries d
      join r on d.merchant_id = r.merchant_id and d.endpoint_id = r.endpoint_id and d.event_id = r.event_id
      where d.attempts = r.attempts and d.status = 'pending'
      order by d.merchant_id, d.endpoint_id, d.event_id
      for update of d
    ), applied as (
      update webhook_deliveries d
      set status = 'delivered', delivered_at = ${at}::timestamptz, last_attempt_at = ${at}::timestamptz,
        next_attempt_at = null, lease_until = null
      from locked r
      where d.merchant_id = r.merchant_id and d.endpoint_id = r.endpoint_id and d.event_id = r.event_id
        and d.attempts = r.attempts and d.status = 'pending'
      returning r.*
    ), ins as (
      insert into webhook_attempts (merchant_id, id, endpoint_id, event_id, attempt, url, status_code, latency_ms, response_excerpt, error, succeeded, created_at)
      select merchant_id, attempt_id, endpoint_id, event_id, attempts, url, status_code, latency_ms, excerpt, null, true, ${at}::timestamptz from applied
      on conflict (merchant_id, id) do nothing
    ), ep_locked as (
      select e.merchant_id, e.id from webhook_endpoints e
      where (e.merchant_id, e.id) in (select merchant_id, endpoint_id from applied) and e.failing_since is not null
      order by e.merchant_id, e.id
      for update of e
    ), ep as (
      update webhook_endpoints e set failing_since = null, last_success_at = ${at}::timestamptz
      from ep_locked a
      where e.merchant_id = a.merchant_id and e.id = a.id and e.failing_since is not null
    )
    select count(*)::int as n from applied`);
  return res.rows[0]?.n ?? 0;
}

export async function insertAttempt(tx: Tx, row: AttemptRow): Promise<void> {
  await tx.insert(webhookAttempts).values(row);
}

type Key = { merchantId: string; endpointId: string; eventId: string; attempts: number };
// Each outcome only applies to the claim it belongs to (same attempt count, still pending and
// leased), so a worker whose lease ran out cannot overwrite what a later worker recorded, and an
// outcome written twice (tried again after an error that hid its commit) applies once.
const claimed = (k: Key) =>
  sql`merchant_id = ${k.merchantId} and endpoint_id = ${k.endpointId} and event_id = ${k.eventId} and attempts = ${k.attempts} and status = 'pending' and lease_until is not null`;

export async function markRetry(tx: Tx, k: Key, now: Date, next: Date | null): Promise<boolean> {
  const res = await tx.execute(sql`
    update webhook_deliveries set status = ${next ? 'pending' : 'failed'}, next_attempt_at = ${next ? next.toISOString() : null}::timestamptz,
      last_attempt_at = ${now.toISOString()}::timestamptz, lease_until = null
    where ${claimed(k)}`);
  if ((res.rowCount ?? 0) === 0) return false;
  await tx.execute(sql`
    update webhook_endpoints set failing_since = ${now.toISOString()}::timestamptz
    where merchant_id = ${k.merchantId} and id = ${k.endpointId} and failing_since is null`);
  return true;
}

/** Gives a claim back untried (the endpoint was disabled meanwhile, or the worker is stopping). */
export async function releaseClaim(db: Db, k: Key): Promise<void> {
  await db.execute(sql`update webhook_deliveries set lease_until = null, attempts = attempts - 1 where ${claimed(k)}`);
}

/** Enabled endpoints that have failed without a success since before `cutoff`, locked for disabling. */
export async function findEndpointsFailingSince(tx: Tx, cutoff: Date, merchantId?: string, endpointId?: string) {
  const res = await tx.execute<{ merchant_id: string; id: string; livemode: boolean }>(sql`
    select e.merchant_id, e.id, m.livemode from webhook_endpoints e join merchants m on m.id = e.merchant_id
    where e.status = 'enabled' and e.failing_since <= ${cutoff.toISOString()}::timestamptz
      ${merchantId ? sql`and e.merchant_id = ${merchantId} and e.id = ${endpointId!}` : sql``}
    for update of e skip locked limit 100`);
  return res.rows;
}
