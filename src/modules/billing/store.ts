// The billing run's set-based queries: what is due (locked, skipping rows another run holds), and
// the bulk writes of a batch. One merchant per call: every query is scoped by merchant_id.
import { and, eq, sql } from 'drizzle-orm';
import type { Delivery, PaymentMethod } from '../customers/choices.ts';
import { pageOrder, pageWhere } from '../../db/page.ts';
import type { Queryable } from '../../db/client.ts';
import type { CalendarDate } from '../../domain/calendar-date.ts';
import { billingRuns } from './schema.ts';

export type BillingRunRow = typeof billingRuns.$inferSelect;

export type Scope = { merchantId: string; testClockId: string | null; subscriptionId?: string | undefined };

export interface DueItem {
  id: string;
  price_id: string;
  quantity: number;
  unit_amount: number;
  tax_behavior: 'exclusive' | 'inclusive';
  vat_rate: number;
  description: string;
}
export interface DuePending {
  id: string;
  description: string;
  quantity: number;
  unit_amount: number;
  tax_behavior: 'exclusive' | 'inclusive';
  vat_rate: number;
  price_id: string | null;
  period_start: string | null;
  period_end: string | null;
}
export interface DueSubscription {
  id: string;
  customer_id: string;
  status: 'scheduled' | 'trialing' | 'active';
  currency: string;
  interval_months: number;
  billing_anchor_day: number;
  current_period_start: string | null;
  next_bill_date: string;
  cancel_at: string | null;
  trial_end: string | null;
  items: DueItem[];
  pending: DuePending[] | null;
  // The customer, for the buyer on the invoice.
  c_type: 'person' | 'company';
  c_name: string;
  c_vat_number: string | null;
  c_address_line1: string | null;
  c_address_line2: string | null;
  c_postal_code: string | null;
  c_city: string | null;
  c_country: string | null;
  c_locale: 'sv' | 'en';
  c_external_id: string | null;
  c_email: string | null;
  c_payment_method: PaymentMethod | null;
  c_delivery: Delivery | null;
}

const scopeWhere = (scope: Scope) => sql`
  s.merchant_id = ${scope.merchantId}
  and s.status in ('scheduled', 'trialing', 'active') and s.next_bill_date is not null
  and c.test_clock_id is not distinct from ${scope.testClockId}
  ${scope.subscriptionId ? sql`and s.id = ${scope.subscriptionId}` : sql``}`;

export type Cursor = { date: string; id: string };

/**
 * Up to `limit` subscriptions whose next period has started by `today`, locked for this
 * transaction. SKIP LOCKED lets two runs share the work instead of waiting on each other.
 * `after` continues from the previous batch: without it every batch would first step over the
 * index entries the batches before it left behind (quadratic over a large run).
 *
 * The lock, then items and pending lines in statements of their own: a row another run committed
 * while the locking statement ran is locked in its new version, but a subquery of that statement
 * would still read the old snapshot (pending items as not yet invoiced); a later statement sees
 * what was committed.
 */
export async function lockDue(tx: Queryable, scope: Scope, today: CalendarDate, limit: number, after?: Cursor): Promise<DueSubscription[]> {
  // The subscription's own columns are re-read in their locked version (PostgreSQL rechecks a
  // row it had to wait for); items and pending lines come from the statements after it.
  const subs = await tx.execute(sql`
    select s.id, s.customer_id, s.status, s.currency, s.interval_months, s.billing_anchor_day,
      to_char(s.current_period_start, 'YYYY-MM-DD') as current_period_start,
      to_char(s.next_bill_date, 'YYYY-MM-DD') as next_bill_date,
      to_char(s.cancel_at, 'YYYY-MM-DD') as cancel_at,
      to_char(s.trial_end, 'YYYY-MM-DD') as trial_end,
      c.type as c_type, c.name as c_name, c.vat_number as c_vat_number, c.address_line1 as c_address_line1,
      c.address_line2 as c_address_line2, c.postal_code as c_postal_code, c.city as c_city, c.country as c_country,
      c.locale as c_locale, c.external_id as c_external_id,
      c.email as c_email, c.payment_method as c_payment_method, c.delivery as c_delivery
    from subscriptions s
    join customers c on c.merchant_id = s.merchant_id and c.id = s.customer_id
    where ${scopeWhere(scope)} and s.next_bill_date <= ${today}::date
      ${after ? sql`and (s.next_bill_date, s.id) > (${after.date}::date, ${after.id})` : sql``}
    order by s.next_bill_date, s.id
    limit ${limit}
    for update of s skip locked`);
  const ids = (subs.rows as { id: string }[]).map((r) => r.id);
  if (ids.length === 0) return [];
  const items = await tx.execute(sql`
    select si.subscription_id, si.id, p.id as price_id, si.quantity, p.unit_amount, p.tax_behavior, p.vat_rate,
      concat_ws(' – ', pr.name, p.nickname) as description
    from subscription_items si
    join prices p on p.merchant_id = si.merchant_id and p.id = si.price_id
    join products pr on pr.merchant_id = p.merchant_id and pr.id = p.product_id
    where si.merchant_id = ${scope.merchantId} and si.subscription_id = any(${sql.param(ids)}::text[])
    order by si.subscription_id, si.id`);
  const pending = await tx.execute(sql`
    select subscription_id, id, description, quantity, unit_amount, tax_behavior, vat_rate, price_id,
      to_char(period_start, 'YYYY-MM-DD') as period_start, to_char(period_end, 'YYYY-MM-DD') as period_end
    from pending_invoice_items
    where merchant_id = ${scope.merchantId} and subscription_id = any(${sql.param(ids)}::text[]) and invoice_id is null
    order by subscription_id, id`);
  const group = <T extends { subscription_id: string }>(rows: T[]) => {
    const by = new Map<string, T[]>();
    for (const r of rows) {
      const list = by.get(r.subscription_id);
      if (list) list.push(r);
      else by.set(r.subscription_id, [r]);
    }
    return by;
  };
  const itemsBy = group(items.rows as unknown as (DueItem & { subscription_id: string })[]);
  const pendingBy = group(pending.rows as unknown as (DuePending & { subscription_id: string })[]);
  return (subs.rows as unknown as Omit<DueSubscription, 'items' | 'pending'>[]).map((r) => ({
    ...r,
    items: itemsBy.get(r.id) ?? [],
    pending: pendingBy.get(r.id) ?? null,
  }));
}

/** How many subscriptions have a period started by `today` and not yet invoiced (or ended). */
export async function countDue(q: Queryable, scope: Scope, today: CalendarDate): Promise<number> {
  const result = await q.execute(sql`
    select count(*)::int as n from subscriptions s
    join customers c on c.merchant_id = s.merchant_id and c.id = s.customer_id
    where ${scopeWhere(scope)} and s.next_bill_date <= ${today}::date`);
  return (result.rows[0] as { n: number }).n;
}

/** The earliest next billing date within scope, for a test clock's step-by-step catch-up. */
export async function earliestDue(q: Queryable, scope: Scope, until: CalendarDate, after?: string): Promise<string | null> {
  const result = await q.execute(sql`
    select to_char(min(s.next_bill_date), 'YYYY-MM-DD') as d from subscriptions s
    join customers c on c.merchant_id = s.merchant_id and c.id = s.customer_id
    where ${scopeWhere(scope)} and s.next_bill_date <= ${until}::date ${after ? sql`and s.next_bill_date > ${after}::date` : sql``}`);
  return (result.rows[0] as { d: string | null }).d;
}

export interface SubscriptionAdvance {
  id: string;
  status: 'trialing' | 'active' | 'canceled';
  current_period_start: string | null;
  current_period_end: string | null;
  next_bill_date: string | null;
  ended_at: string | null;
}

export async function advanceSubscriptions(tx: Queryable, merchantId: string, rows: SubscriptionAdvance[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update subscriptions s set
      status = x.status,
      current_period_start = coalesce(x.current_period_start, s.current_period_start),
      current_period_end = coalesce(x.current_period_end, s.current_period_end),
      next_bill_date = x.next_bill_date,
      ended_at = coalesce(x.ended_at, s.ended_at),
      updated_at = ${now.toISOString()}::timestamptz
    from unnest(${sql.param(rows.map((r) => r.id))}::text[], ${sql.param(rows.map((r) => r.status))}::text[],
      ${sql.param(rows.map((r) => r.current_period_start))}::date[], ${sql.param(rows.map((r) => r.current_period_end))}::date[],
      ${sql.param(rows.map((r) => r.next_bill_date))}::date[], ${sql.param(rows.map((r) => r.ended_at))}::timestamptz[])
      as x(id, status, current_period_start, current_period_end, next_bill_date, ended_at)
    where s.merchant_id = ${merchantId} and s.id = x.id`);
}

/** Marks pending items as billed; all of them, or the batch fails (another run got there first). */
export async function attachPendingItems(tx: Queryable, merchantId: string, pairs: { id: string; invoice_id: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  const result = await tx.execute(sql`
    update pending_invoice_items p set invoice_id = x.invoice_id
    from unnest(${sql.param(pairs.map((p) => p.id))}::text[], ${sql.param(pairs.map((p) => p.invoice_id))}::text[]) as x(id, invoice_id)
    where p.merchant_id = ${merchantId} and p.id = x.id and p.invoice_id is null`);
  if (result.rowCount !== pairs.length) throw new Error(`pending items already billed: ${result.rowCount} of ${pairs.length} attached`);
}

/** A credit used in part: the used part becomes its own (billed) item, the rest stays pending. */
export async function splitPendingItem(tx: Queryable, merchantId: string, id: string, used: { newId: string; amount: number; invoiceId: string }, remaining: number): Promise<void> {
  await tx.execute(sql`
    with original as (
      update pending_invoice_items set quantity = 1, unit_amount = ${remaining}
      where merchant_id = ${merchantId} and id = ${id} and invoice_id is null
      returning *
    )
    insert into pending_invoice_items (merchant_id, id, customer_id, subscription_id, invoice_id, description, quantity, unit_amount,
      tax_behavior, vat_rate, price_id, period_start, period_end, created_at)
    select merchant_id, ${used.newId}, customer_id, subscription_id, ${used.invoiceId}, description, 1, ${used.amount},
      tax_behavior, vat_rate, price_id, period_start, period_end, created_at
    from original`);
}

/** A subscription's items still waiting for an invoice, locked. */
export async function lockPendingItems(tx: Queryable, merchantId: string, subscriptionId: string) {
  const result = await tx.execute(sql`
    select id, description, quantity, unit_amount, tax_behavior, vat_rate, price_id,
      to_char(period_start, 'YYYY-MM-DD') as period_start, to_char(period_end, 'YYYY-MM-DD') as period_end
    from pending_invoice_items where merchant_id = ${merchantId} and subscription_id = ${subscriptionId} and invoice_id is null
    order by id for update`);
  return result.rows as unknown as DuePending[];
}

// Billing runs.

export async function insertRun(q: Queryable, row: BillingRunRow): Promise<void> {
  await q.insert(billingRuns).values(row);
}

export async function findRun(q: Queryable, merchantId: string, id: string): Promise<BillingRunRow | undefined> {
  const [row] = await q.select().from(billingRuns).where(and(eq(billingRuns.merchantId, merchantId), eq(billingRuns.id, id)));
  return row;
}

/** Counts what a batch did, in the batch's own transaction: progress is exact after a crash. */
export async function addProgress(q: Queryable, merchantId: string, id: string, invoices: number, ended: number, now: Date): Promise<void> {
  await q
    .update(billingRuns)
    .set({
      invoicesCreated: sql`${billingRuns.invoicesCreated} + ${invoices}`,
      subscriptionsEnded: sql`${billingRuns.subscriptionsEnded} + ${ended}`,
      batches: sql`${billingRuns.batches} + 1`,
      updatedAt: now,
    })
    .where(and(eq(billingRuns.merchantId, merchantId), eq(billingRuns.id, id)));
}

export async function setRunStatus(q: Queryable, merchantId: string, id: string, patch: Partial<BillingRunRow>): Promise<void> {
  await q.update(billingRuns).set(patch).where(and(eq(billingRuns.merchantId, merchantId), eq(billingRuns.id, id)));
}

export async function listRuns(q: Queryable, merchantId: string, page: { limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined }) {
  return q
    .select()
    .from(billingRuns)
    .where(and(eq(billingRuns.merchantId, merchantId), pageWhere(billingRuns.id, page)))
    .orderBy(pageOrder(billingRuns.id, page))
    .limit(page.limit + 1);
}

/** Runs a crashed worker left unfinished, any merchant, oldest first. */
/** Runs not completed; with `staleBefore`, only those without progress since then. */
export async function listUnfinishedRuns(q: Queryable, staleBefore: Date | undefined, limit: number) {
  return q
    .select({ merchantId: billingRuns.merchantId, id: billingRuns.id })
    .from(billingRuns)
    .where(sql`${billingRuns.status} in ('pending', 'running', 'failed') ${staleBefore ? sql`and ${billingRuns.updatedAt} < ${staleBefore.toISOString()}::timestamptz` : sql``}`)
    .orderBy(billingRuns.createdAt)
    .limit(limit);
}

/** Merchants with something due now (customers without test clocks), for the schedule. */
export async function merchantsWithDue(q: Queryable, now: Date): Promise<{ merchantId: string; timeZone: string; livemode: boolean }[]> {
  const result = await q.execute(sql`
    select m.id as "merchantId", m.time_zone as "timeZone", m.livemode
    from merchants m
    where exists (
      select 1 from subscriptions s
      join customers c on c.merchant_id = s.merchant_id and c.id = s.customer_id
      where s.merchant_id = m.id and s.status in ('scheduled', 'trialing', 'active')
        and s.next_bill_date <= (${now.toISOString()}::timestamptz at time zone m.time_zone)::date
        and c.test_clock_id is null)`);
  return result.rows as { merchantId: string; timeZone: string; livemode: boolean }[];
}
