import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import type { ChurnSignals, ChurnRiskLevel, ExitReason } from '../../domain/churn-risk.ts';
import { churnRiskCursors, churnRiskScores } from './schema.ts';

export type ChurnRiskRow = typeof churnRiskScores.$inferSelect;

// Signals are read over this window before the moment scored.
export const LOOKBACK_DAYS = 180;
// A change from automatic to manual payment counts this long.
const SWITCH_DAYS = 90;

// Payment methods collected without the customer doing anything.
const AUTOMATIC = sql`('card', 'autogiro', 'swish')`;

/**
 * The customer's signals as of `now` (business time), from the rows dated up to `now` only, so a
 * snapshot at an earlier cut-off reads what was known then (the backtest does). Subscription state
 * (paused, set to cancel) is the current row's: a cut-off in the past sees it only approximately.
 */
export async function readSignals(q: Queryable, merchantId: string, customerId: string, now: Date, timeZone: string): Promise<ChurnSignals | undefined> {
  const since = new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000);
  const switchSince = new Date(now.getTime() - SWITCH_DAYS * 86_400_000);
  const res = await q.execute<{
    reminders: number;
    furthest: number;
    max_days_late: number;
    late_invoices: number;
    failed: number;
    plan: 'none' | 'active' | 'defaulted';
    downgraded: boolean;
    paused: boolean;
    cancel_at_period_end: boolean;
    disputes: number;
    method: string | null;
    left_automatic: boolean;
    bounced: boolean;
    tenure_days: number;
    exit_reason: ExitReason | null;
  }>(sql`
    with c as (
      select * from customers where merchant_id = ${merchantId} and id = ${customerId}
    ),
    today as (select (${now}::timestamptz at time zone ${timeZone})::date as d, (${since}::timestamptz at time zone ${timeZone})::date as since_d),
    steps as (
      select mi.invoice_id, count(*) filter (where m.step_kind = 'reminder') as reminders, bool_or(m.step_kind = 'escalation') as escalated
      from message_invoices mi
      join messages m on m.merchant_id = mi.merchant_id and m.id = mi.message_id
      where m.merchant_id = ${merchantId} and m.customer_id = ${customerId}
        and m.business_time > ${since} and m.business_time <= ${now} and m.status not in ('failed', 'bounced')
      group by mi.invoice_id
    ),
    late as (
      -- Days past due as of now: paid by now, until the payment; still owed (or paid later), until today.
      select greatest(0, case
          when i.paid_at <= ${now} then (i.paid_at at time zone ${timeZone})::date
          when i.paid_at is null and i.status not in ('open', 'partially_paid', 'in_collection', 'in_payment_plan', 'uncollectible') then i.due_date
          else (select d from today) end - i.due_date) as days
      from invoices i
      where i.merchant_id = ${merchantId} and i.customer_id = ${customerId}
        and i.status not in ('draft', 'void') and i.due_date is not null and i.finalized_at <= ${now}
        and i.due_date >= (select since_d from today) and i.due_date < (select d from today)
    )
    select
      (select count(*)::int from messages m
        where m.merchant_id = ${merchantId} and m.customer_id = ${customerId} and m.step_kind in ('reminder', 'escalation')
          and m.business_time > ${since} and m.business_time <= ${now} and m.status not in ('failed', 'bounced')) as reminders,
      -- Escalation counts whether or not its step sent a message (the agency may be told by webhook only).
      greatest(
        (select coalesce(max(case when escalated then 3 when reminders >= 2 then 2 when reminders = 1 then 1 else 0 end), 0)::int from steps),
        (select case when count(*) > 0 then 3 else 0 end from dunning_cases d where d.merchant_id = ${merchantId} and d.customer_id = ${customerId}
          and d.escalated_at > ${since} and d.escalated_at <= ${now})) as furthest,
      (select coalesce(max(days), 0)::int from late) as max_days_late,
      (select count(*)::int from late where days > 0) as late_invoices,
      (select count(*)::int from collection_attempts a
        where a.merchant_id = ${merchantId} and a.customer_id = ${customerId} and a.outcome in ('declined', 'failed')
          and a.completed_at > ${since} and a.completed_at <= ${now}) as failed,
      (select case
          when bool_or(p.created_at <= ${now} and (p.ended_at is null or p.ended_at > ${now})) then 'active'
          when bool_or(p.status = 'defaulted' and p.ended_at > ${since} and p.ended_at <= ${now}) then 'defaulted'
          else 'none' end
        from payment_plans p where p.merchant_id = ${merchantId} and p.customer_id = ${customerId}) as plan,
      -- A downgrade: one subscription change (its prorations, made together) that credits more than it charges.
      exists (select 1 from pending_invoice_items p where p.merchant_id = ${merchantId} and p.customer_id = ${customerId}
          and p.created_at > ${since} and p.created_at <= ${now}
        group by p.subscription_id, p.created_at having sum(p.unit_amount * p.quantity) < 0) as downgraded,
      exists (select 1 from subscriptions s where s.merchant_id = ${merchantId} and s.customer_id = ${customerId}
        and s.status = 'paused' and s.paused_at <= ${now}) as paused,
      exists (select 1 from subscriptions s where s.merchant_id = ${merchantId} and s.customer_id = ${customerId}
        and s.status <> 'canceled' and (s.cancel_at_period_end or s.cancel_at is not null)) as cancel_at_period_end,
      (select count(*)::int from dunning_cases d where d.merchant_id = ${merchantId} and d.customer_id = ${customerId}
        and d.disputed_at > ${since} and d.disputed_at <= ${now}) as disputes,
      (select coalesce(c.payment_method->>'type', 'bankgiro') from c) as method,
      exists (select 1 from customer_choice_changes h where h.merchant_id = ${merchantId} and h.customer_id = ${customerId}
        and h.kind = 'payment_method' and h.at > ${switchSince} and h.at <= ${now}
        and h."from"->>'type' in ${AUTOMATIC} and h."to"->>'type' not in ${AUTOMATIC}) as left_automatic,
      exists (select 1 from messages m where m.merchant_id = ${merchantId} and m.customer_id = ${customerId}
        and m.status = 'bounced' and m.business_time > ${since} and m.business_time <= ${now}) as bounced,
      (select greatest(0, extract(epoch from (${now}::timestamptz - coalesce(c.returned_at, c.first_subscribed_at, c.created_at))) / 86400)::int from c) as tenure_days,
      (select s.cancellation_reason from subscriptions s, c
        where c.returned_at is not null and c.returned_at <= ${now} and s.merchant_id = ${merchantId} and s.customer_id = ${customerId}
          and s.ended_at is not null and s.ended_at <= c.returned_at and s.cancellation_reason is not null
        order by s.ended_at desc limit 1) as exit_reason
    from c
  `);
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    reminders: r.reminders,
    furthestStep: Math.min(3, r.furthest) as ChurnSignals['furthestStep'],
    maxDaysLate: r.max_days_late,
    lateInvoices: r.late_invoices,
    failedCollections: r.failed,
    paymentPlan: r.plan,
    downgraded: r.downgraded,
    paused: r.paused,
    cancelAtPeriodEnd: r.cancel_at_period_end,
    disputes: r.disputes,
    paymentMethod: r.method !== null && ['card', 'autogiro', 'swish'].includes(r.method) ? 'automatic' : 'manual',
    leftAutomaticPayment: r.left_automatic,
    deliveryBounced: r.bounced,
    tenureMonths: Math.floor(r.tenure_days / 30.44),
    earlierExitReason: r.exit_reason,
  };
}

/**
 * The customer's score row, locked. A first computation inserts a low placeholder (the level a
 * customer starts at) and locks that: a concurrent first computation waits on the insert and then
 * finds the row, so the two never both see "no row".
 */
export async function lockScore(q: Queryable, merchantId: string, customerId: string, now: Date): Promise<ChurnRiskRow> {
  await q
    .insert(churnRiskScores)
    .values({ merchantId, customerId, score: 0, level: 'low', reasons: [], suggestedAction: null, computedAt: new Date(0), updatedAt: now })
    .onConflictDoNothing();
  const [row] = await q
    .select()
    .from(churnRiskScores)
    .where(and(eq(churnRiskScores.merchantId, merchantId), eq(churnRiskScores.customerId, customerId)))
    .for('update');
  return row!;
}

export async function updateScore(q: Queryable, row: ChurnRiskRow): Promise<void> {
  await q
    .update(churnRiskScores)
    .set(row)
    .where(and(eq(churnRiskScores.merchantId, row.merchantId), eq(churnRiskScores.customerId, row.customerId)));
}

export async function findScore(q: Queryable, merchantId: string, customerId: string): Promise<ChurnRiskRow | undefined> {
  const [row] = await q
    .select()
    .from(churnRiskScores)
    .where(and(eq(churnRiskScores.merchantId, merchantId), eq(churnRiskScores.customerId, customerId), sql`${churnRiskScores.computedAt} > 'epoch'`));
  return row;
}

/** Ids of one level's customers (not archived), riskiest first (score desc, then id desc), after the (score, id) cursor. */
export async function listByLevel(q: Queryable, merchantId: string, level: ChurnRiskLevel, limit: number, after?: { score: number; customerId: string }) {
  return q
    .select({ customerId: churnRiskScores.customerId, score: churnRiskScores.score })
    .from(churnRiskScores)
    .where(
      and(
        eq(churnRiskScores.merchantId, merchantId),
        eq(churnRiskScores.level, level),
        sql`${churnRiskScores.computedAt} > 'epoch'`,
        // Archived customers keep their last score but leave the list, as they leave the plain one.
        sql`exists (select 1 from customers c where c.merchant_id = ${churnRiskScores.merchantId} and c.id = ${churnRiskScores.customerId} and c.archived_at is null)`,
        after ? or(lt(churnRiskScores.score, after.score), and(eq(churnRiskScores.score, after.score), lt(churnRiskScores.customerId, after.customerId))) : undefined,
      ),
    )
    .orderBy(desc(churnRiskScores.score), desc(churnRiskScores.customerId))
    .limit(limit);
}

// Event types whose change can move a customer's signals (customer.churn_risk_changed is not one).
const SIGNAL_TYPES = sql`(e.type like 'invoice.%' or e.type like 'reminder.%' or e.type like 'collection.%' or e.type like 'payment_plan.%'
  or e.type like 'subscription.%' or e.type like 'payment.%' or e.type in ('customer.created', 'customer.updated', 'customer.returned', 'payment_method.changed', 'delivery.changed'))`;

/**
 * The next events after each merchant's cursor, up to `bound` (an event id: events newer than
 * that may still be committing and are left for the next pass), with the customer each concerns.
 */
export async function nextSignalEvents(q: Queryable, bound: string, perMerchant: number) {
  const res = await q.execute<{ merchant_id: string; id: string; customer_id: string | null }>(sql`
    select c.merchant_id, e.id, e.customer_id
    from churn_risk_cursors c
    cross join lateral (
      select e.id,
        case when ${SIGNAL_TYPES} then
          case when e.type like 'customer.%' or e.type in ('payment_method.changed', 'delivery.changed') then e.object_id
               else e.data->'object'->>'customer' end
        end as customer_id
      from events e
      where e.merchant_id = c.merchant_id and e.id > c.last_event_id and e.id <= ${bound}
      order by e.id
      limit ${perMerchant}
    ) e
    order by c.merchant_id, e.id
  `);
  return res.rows;
}

/**
 * A merchant without a cursor (new, or every merchant when this first runs) starts at `bound`: its
 * earlier events are not replayed, since the daily pass scores every customer who has no score.
 */
export async function startCursors(q: Queryable, bound: string, now: Date): Promise<void> {
  await q.execute(sql`
    insert into churn_risk_cursors (merchant_id, last_event_id, updated_at)
    select m.id, ${bound}, ${now} from merchants m
    where not exists (select 1 from churn_risk_cursors c where c.merchant_id = m.id)
    on conflict (merchant_id) do nothing
  `);
}

/** Moves a merchant's cursor forward (never back, whatever order two passes finish in). */
export async function advanceCursor(q: Queryable, merchantId: string, lastEventId: string, now: Date): Promise<void> {
  await q
    .insert(churnRiskCursors)
    .values({ merchantId, lastEventId, updatedAt: now })
    .onConflictDoUpdate({
      target: churnRiskCursors.merchantId,
      set: { lastEventId: sql`greatest(${churnRiskCursors.lastEventId}, excluded.last_event_id)`, updatedAt: now },
    });
}

/**
 * Customers (not archived) whose score is missing or more than a day old in their own business
 * time (a test clock's for its customers): the daily recompute, which also moves scores whose
 * signals age out of the window, and lets a test clock's jump move its customers' scores.
 */
export async function staleCustomers(q: Queryable, now: Date, limit: number) {
  const res = await q.execute<{ merchant_id: string; customer_id: string }>(sql`
    select c.merchant_id, c.id as customer_id
    from customers c
    left join test_clocks t on t.merchant_id = c.merchant_id and t.id = c.test_clock_id
    left join churn_risk_scores s on s.merchant_id = c.merchant_id and s.customer_id = c.id
    where c.archived_at is null
      and (s.customer_id is null or s.computed_at < coalesce(t.frozen_time, ${now}::timestamptz) - interval '1 day')
    limit ${limit}
  `);
  return res.rows;
}
