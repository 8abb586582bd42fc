// Queries of payment plans. Business time as in dunning: a plan of a customer on a test clock is
// checked at the clock's frozen time; the sweep works real time and ready clocks, an advancing
// clock's plans are worked by its catch-up.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { paymentPlanInstalments, paymentPlanInvoices, paymentPlans } from './schema.ts';

export type PlanRow = typeof paymentPlans.$inferSelect;
export type PlanInvoiceRow = typeof paymentPlanInvoices.$inferSelect;
export type InstalmentRow = typeof paymentPlanInstalments.$inferSelect;
export type Lane = { kind: 'sweep' } | { kind: 'clock'; merchantId: string; clockId: string };
export type PlanFilter = { customerId?: string | undefined; status?: PlanRow['status'] | undefined };

export async function insertPlan(tx: Tx, plan: PlanRow, taken: PlanInvoiceRow[], instalments: InstalmentRow[]): Promise<void> {
  await tx.insert(paymentPlans).values(plan);
  await tx.insert(paymentPlanInvoices).values(taken);
  await tx.insert(paymentPlanInstalments).values(instalments);
}

export async function findPlan(q: Queryable, merchantId: string, id: string, o: { forUpdate?: boolean } = {}): Promise<PlanRow | undefined> {
  const query = q.select().from(paymentPlans).where(and(eq(paymentPlans.merchantId, merchantId), eq(paymentPlans.id, id)));
  const [row] = o.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function listPlans(q: Queryable, merchantId: string, f: PlanFilter, page: PageParams): Promise<PlanRow[]> {
  return q
    .select()
    .from(paymentPlans)
    .where(
      and(
        eq(paymentPlans.merchantId, merchantId),
        f.customerId ? eq(paymentPlans.customerId, f.customerId) : undefined,
        f.status ? eq(paymentPlans.status, f.status) : undefined,
        pageWhere(paymentPlans.id, page),
      ),
    )
    .orderBy(pageOrder(paymentPlans.id, page))
    .limit(page.limit + 1);
}

/** The invoices and instalments of these plans, in plan order. */
export async function partsOf(q: Queryable, merchantId: string, planIds: string[]): Promise<{ taken: Map<string, PlanInvoiceRow[]>; instalments: Map<string, InstalmentRow[]> }> {
  const taken = new Map<string, PlanInvoiceRow[]>();
  const instalments = new Map<string, InstalmentRow[]>();
  if (planIds.length === 0) return { taken, instalments };
  const t = await q
    .select()
    .from(paymentPlanInvoices)
    .where(and(eq(paymentPlanInvoices.merchantId, merchantId), inArray(paymentPlanInvoices.planId, planIds)))
    .orderBy(asc(paymentPlanInvoices.planId), asc(paymentPlanInvoices.position));
  for (const r of t) taken.set(r.planId, [...(taken.get(r.planId) ?? []), r]);
  const i = await q
    .select()
    .from(paymentPlanInstalments)
    .where(and(eq(paymentPlanInstalments.merchantId, merchantId), inArray(paymentPlanInstalments.planId, planIds)))
    .orderBy(asc(paymentPlanInstalments.planId), asc(paymentPlanInstalments.seq));
  for (const r of i) instalments.set(r.planId, [...(instalments.get(r.planId) ?? []), r]);
  return { taken, instalments };
}

export async function updatePlan(tx: Tx, row: PlanRow): Promise<void> {
  const { merchantId, id, createdAt: _c, ...rest } = row;
  await tx.update(paymentPlans).set(rest).where(and(eq(paymentPlans.merchantId, merchantId), eq(paymentPlans.id, id)));
}

const laneWhere = (lane: Lane) =>
  lane.kind === 'sweep' ? sql`(tc.id is null or tc.status = 'ready')` : sql`p.merchant_id = ${lane.merchantId} and tc.id = ${lane.clockId} and tc.status = 'advancing'`;

// A plan needs looking at when its check time has come, or when nothing of it is left to pay.
const settledAll = sql`not exists (
  select 1 from payment_plan_instalments pi join invoices i on i.merchant_id = pi.merchant_id and i.id = pi.invoice_id
  where pi.merchant_id = p.merchant_id and pi.plan_id = p.id and i.amount_remaining > 0)`;

/**
 * Active plans due a look (their check time passed, all paid, or their customer holds credit in the
 * plan's currency to pay instalments with), locked, skipping those another sweep holds and those
 * this pass has looked at already (`seen`).
 */
export async function claimDue(tx: Tx, o: { now: Date; lane: Lane; limit: number; seen: string[] }): Promise<{ merchantId: string; id: string; businessNow: Date; timeZone: string; livemode: boolean }[]> {
  const now = o.now.toISOString();
  const res = await tx.execute<{ merchant_id: string; id: string; business_now: string; time_zone: string; livemode: boolean }>(sql`
    select p.merchant_id, p.id, coalesce(tc.frozen_time, ${now}::timestamptz) as business_now, m.time_zone, m.livemode
    from payment_plans p
    join customers c on c.merchant_id = p.merchant_id and c.id = p.customer_id
    join merchants m on m.id = p.merchant_id
    left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
    where p.status = 'active' and ${laneWhere(o.lane)}
      and (p.next_check_at <= coalesce(tc.frozen_time, ${now}::timestamptz) or ${settledAll} or (c.balance > 0 and c.balance_currency = p.currency))
      and p.id <> all(${sql.param(o.seen)}::text[])
    order by p.next_check_at
    limit ${o.limit}
    for update of p skip locked`);
  return res.rows.map((r) => ({ merchantId: r.merchant_id, id: r.id, businessNow: new Date(r.business_now), timeZone: r.time_zone, livemode: r.livemode }));
}

/** A clock's catch-up: the earliest moment one of its plans needs a look, up to `until` (one all paid: now). */
export async function earliestDueForClock(tx: Tx, merchantId: string, clockId: string, until: Date, after: Date | undefined): Promise<Date | null> {
  const res = await tx.execute<{ at: string | null }>(sql`
    select min(case when ${settledAll} or (c.balance > 0 and c.balance_currency = p.currency) then tc.frozen_time else p.next_check_at end) as at
    from payment_plans p
    join customers c on c.merchant_id = p.merchant_id and c.id = p.customer_id
    join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
    where p.merchant_id = ${merchantId} and tc.id = ${clockId} and p.status = 'active'
      and (case when ${settledAll} or (c.balance > 0 and c.balance_currency = p.currency) then tc.frozen_time else p.next_check_at end) <= ${until.toISOString()}::timestamptz
      ${after ? sql`and (case when ${settledAll} or (c.balance > 0 and c.balance_currency = p.currency) then tc.frozen_time else p.next_check_at end) > ${after.toISOString()}::timestamptz` : sql``}`);
  const at = res.rows[0]?.at;
  return at ? new Date(at) : null;
}
