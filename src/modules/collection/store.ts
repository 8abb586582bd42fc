// Queries of collection. Claims and result look-ups are short statements on the pool that commit at
// once: no transaction is held open across a processor call. Business time: an attempt is due when
// its due_at has passed on its customer's test clock (frozen_time), else on the real clock.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { collectionActionRequired, collectionAttempts } from './schema.ts';

export type AttemptRow = typeof collectionAttempts.$inferSelect;
export type AttemptFilter = { invoiceId?: string | undefined; customerId?: string | undefined; status?: AttemptRow['status'] | undefined };

/** Which attempts a pass works: those on real time and on ready clocks (the worker), or one advancing clock's (its catch-up). */
export type Lane = { kind: 'worker' } | { kind: 'clock'; merchantId: string; clockId: string };

const laneWhere = (lane: Lane) =>
  lane.kind === 'worker'
    ? sql`(tc.id is null or tc.status = 'ready')`
    : sql`a.merchant_id = ${lane.merchantId} and tc.id = ${lane.clockId} and tc.status = 'advancing'`;

export async function insertAttempts(tx: Tx, rows: AttemptRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.insert(collectionAttempts).values(rows).onConflictDoNothing();
}

export type Claimed = AttemptRow & { livemode: boolean; ocr_reference: string | null; business_now: Date };

/**
 * Leases up to `limit` due attempts: scheduled ones, and ones a crashed worker left mid-submission
 * (lease run out). Rows are locked skipping those another worker holds, and the lease is re-checked
 * on the locked row, so two workers never claim one attempt. A scheduled attempt whose invoice is
 * no longer open (paid by transfer, voided, written off) is canceled instead: it is never charged.
 * One that was submitted before is never canceled (the processor may have taken the money: its
 * result must still be applied). The amount is fixed at the first claim: the invoice's remainder.
 */
export async function claimDue(db: Db, o: { now: Date; wall: Date; leaseUntil: Date; limit: number; lane: Lane }): Promise<Claimed[]> {
  const wall = o.wall.toISOString();
  const res = await db.execute<Record<string, unknown>>(sql`
    with pick as (
      select a.merchant_id, a.id from collection_attempts a
      join customers c on c.merchant_id = a.merchant_id and c.id = a.customer_id
      left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
      where a.status in ('scheduled', 'processing') and (a.lease_until is null or a.lease_until < ${wall}::timestamptz)
        and a.due_at <= coalesce(tc.frozen_time, ${o.now.toISOString()}::timestamptz)
        and ${laneWhere(o.lane)}
      order by a.due_at
      limit ${o.limit}
    ), locked as (
      select a.merchant_id, a.id, coalesce(tc.frozen_time, ${o.now.toISOString()}::timestamptz) as business_now
      from collection_attempts a join pick p using (merchant_id, id)
      join customers c on c.merchant_id = a.merchant_id and c.id = a.customer_id
      left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
      where a.status in ('scheduled', 'processing') and (a.lease_until is null or a.lease_until < ${wall}::timestamptz)
      order by a.merchant_id, a.id
      for update of a skip locked
    )
    update collection_attempts a set
      status = case when a.status = 'scheduled' and not (i.status in ('open', 'partially_paid') and i.amount_remaining > 0) then 'canceled' else 'processing' end,
      lease_until = case when a.status = 'scheduled' and not (i.status in ('open', 'partially_paid') and i.amount_remaining > 0) then null else ${o.leaseUntil.toISOString()}::timestamptz end,
      amount = coalesce(a.amount, i.amount_remaining),
      updated_at = ${wall}::timestamptz
    from locked l, invoices i, merchants m
    where a.merchant_id = l.merchant_id and a.id = l.id
      and i.merchant_id = a.merchant_id and i.id = a.invoice_id and m.id = a.merchant_id
    returning a.*, m.livemode, i.ocr_reference, l.business_now`);
  return res.rows.map((r) => ({ ...fromRaw(r), business_now: new Date(r.business_now as string) })) as Claimed[];
}

/** Records the processor's acceptance, if the claim is still ours (same lease). */
export async function markSubmitted(db: Db, a: { merchantId: string; id: string; leaseUntil: Date }, reference: string, at: Date, wall: Date): Promise<boolean> {
  const res = await db.execute(sql`
    update collection_attempts set status = 'submitted', processor_reference = ${reference}, lease_until = null,
      submitted_at = ${at.toISOString()}::timestamptz, updated_at = ${wall.toISOString()}::timestamptz
    where merchant_id = ${a.merchantId} and id = ${a.id} and status = 'processing' and lease_until = ${a.leaseUntil.toISOString()}::timestamptz`);
  return (res.rowCount ?? 0) > 0;
}

/** Submitted attempts of polled processors whose results are awaited, per merchant. */
export async function findSubmitted(db: Db, o: { processor: string; limit: number; lane: Lane }): Promise<{ merchantId: string; reference: string }[]> {
  const res = await db.execute<{ merchant_id: string; processor_reference: string }>(sql`
    select a.merchant_id, a.processor_reference from collection_attempts a
    join customers c on c.merchant_id = a.merchant_id and c.id = a.customer_id
    left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
    where a.status = 'submitted' and a.processor = ${o.processor} and ${laneWhere(o.lane)}
    order by a.due_at limit ${o.limit}`);
  return res.rows.map((r) => ({ merchantId: r.merchant_id, reference: r.processor_reference }));
}

export type Locked = AttemptRow & { livemode: boolean; business_now: Date; time_zone: string };

/** The submitted attempt a result is for, locked; undefined when its result was applied already. */
export async function lockSubmitted(tx: Tx, processor: string, merchantId: string, reference: string, now: Date): Promise<Locked | undefined> {
  const res = await tx.execute<Record<string, unknown>>(sql`
    select a.*, m.livemode, m.time_zone, coalesce(tc.frozen_time, ${now.toISOString()}::timestamptz) as business_now
    from collection_attempts a
    join merchants m on m.id = a.merchant_id
    join customers c on c.merchant_id = a.merchant_id and c.id = a.customer_id
    left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
    where a.merchant_id = ${merchantId} and a.processor = ${processor} and a.processor_reference = ${reference} and a.status = 'submitted'
    for update of a`);
  const row = res.rows[0];
  return row ? ({ ...fromRaw(row), business_now: new Date(row.business_now as string) } as Locked) : undefined;
}

export async function updateAttempt(tx: Tx, row: AttemptRow): Promise<AttemptRow> {
  const { merchantId, id, createdAt: _c, ...changes } = row;
  const [updated] = await tx.update(collectionAttempts).set(changes).where(and(eq(collectionAttempts.merchantId, merchantId), eq(collectionAttempts.id, id))).returning();
  return updated!;
}

/** True when this is the first time the customer is asked to act on this payment method. */
export async function markActionRequired(tx: Tx, row: { merchantId: string; customerId: string; methodKey: string; attemptId: string; createdAt: Date }): Promise<boolean> {
  const res = await tx.insert(collectionActionRequired).values(row).onConflictDoNothing().returning({ id: collectionActionRequired.attemptId });
  return res.length > 0;
}

/** The earliest scheduled attempt of a clock's customers due by `until` (and after `after`), for its catch-up. */
export async function earliestDueForClock(q: Queryable, merchantId: string, clockId: string, until: Date, after?: Date): Promise<Date | null> {
  const res = await q.execute<{ at: string | null }>(sql`
    select min(a.due_at) as at from collection_attempts a
    join customers c on c.merchant_id = a.merchant_id and c.id = a.customer_id
    where c.merchant_id = ${merchantId} and c.test_clock_id = ${clockId} and a.status = 'scheduled'
      and a.due_at <= ${until.toISOString()}::timestamptz
      ${after ? sql`and a.due_at > ${after.toISOString()}::timestamptz` : sql``}`);
  const at = res.rows[0]?.at;
  return at ? new Date(at) : null;
}

export async function findAttempt(q: Queryable, merchantId: string, id: string): Promise<AttemptRow | undefined> {
  const [row] = await q.select().from(collectionAttempts).where(and(eq(collectionAttempts.merchantId, merchantId), eq(collectionAttempts.id, id)));
  return row;
}

export async function listAttempts(q: Queryable, merchantId: string, f: AttemptFilter, page: PageParams): Promise<AttemptRow[]> {
  return q
    .select()
    .from(collectionAttempts)
    .where(
      and(
        eq(collectionAttempts.merchantId, merchantId),
        f.invoiceId ? eq(collectionAttempts.invoiceId, f.invoiceId) : undefined,
        f.customerId ? eq(collectionAttempts.customerId, f.customerId) : undefined,
        f.status ? eq(collectionAttempts.status, f.status) : undefined,
        pageWhere(collectionAttempts.id, page),
      ),
    )
    .orderBy(pageOrder(collectionAttempts.id, page))
    .limit(page.limit + 1);
}

export async function listForInvoice(q: Queryable, merchantId: string, invoiceId: string): Promise<AttemptRow[]> {
  return q
    .select()
    .from(collectionAttempts)
    .where(and(eq(collectionAttempts.merchantId, merchantId), eq(collectionAttempts.invoiceId, invoiceId)))
    .orderBy(desc(collectionAttempts.attemptNumber));
}

// Raw rows (db.execute) come back in snake_case with timestamps as strings.
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const TIMESTAMPS = new Set(['dueAt', 'leaseUntil', 'nextAttemptAt', 'submittedAt', 'completedAt', 'createdAt', 'updatedAt']);
function fromRaw(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'livemode' || k === 'ocr_reference' || k === 'time_zone' || k === 'business_now') {
      out[k] = v;
      continue;
    }
    const c = camel(k);
    out[c] = TIMESTAMPS.has(c) && v != null ? new Date(v as string) : c === 'amount' && v != null ? Number(v) : v;
  }
  return out;
}
