// The reminder figures, counted in one statement over the rows (a read model, like billing's batch
// SQL: it reads messages, message_invoices, payments, invoices, dunning_cases and subscriptions of
// one merchant; it writes nothing). The definitions are in src/domain/reminder-analytics.ts and
// the OpenAPI description of GET /v1/analytics/reminders.
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { CHURN_WINDOW_DAYS, PAID_WITHIN_DAYS } from '../../domain/reminder-analytics.ts';
import type { CalendarDate } from '../../domain/calendar-date.ts';

export const GROUPS = { step: sql`m.step_key`, policy: sql`m.policy_id`, tone: sql`m.tone`, channel: sql`m.channel`, arm: sql`m.experiment_arm` } as const;
export type GroupBy = keyof typeof GROUPS;

/** Which messages: those whose business time is in [from, to), or those sent under an experiment. */
export type Selection = { kind: 'window'; from: Date; to: Date } | { kind: 'experiment'; experimentId: string };

export type GroupFigures = {
  key: string | null;
  messages: number;
  invoicesReminded: number;
  paidWithin2BankDays: number;
  paidWithin7Days: number;
  paid: number;
  medianDaysToPayment: number | null;
  escalated: number;
  customers: number;
  customersPaidWithin2BankDays: number;
  churnedWithin90Days: number;
};

const selected = (s: Selection): SQL =>
  s.kind === 'window'
    ? sql`m.business_time >= ${s.from.toISOString()}::timestamptz and m.business_time < ${s.to.toISOString()}::timestamptz`
    : sql`m.experiment_id = ${s.experimentId}`;

/** The first and last local day of the delivered messages selected (to size the bank-day table), or null when there are none. */
export async function messageDays(q: Queryable, merchantId: string, timeZone: string, s: Selection): Promise<{ first: CalendarDate; last: CalendarDate } | null> {
  const res = await q.execute<{ first: string | null; last: string | null }>(sql`
    select to_char(min(m.business_time at time zone ${timeZone}), 'YYYY-MM-DD') as first, to_char(max(m.business_time at time zone ${timeZone}), 'YYYY-MM-DD') as last
    from messages m where m.merchant_id = ${merchantId} and m.status in ('sent', 'stored') and ${selected(s)}`);
  const r = res.rows[0];
  return r?.first && r.last ? { first: r.first as CalendarDate, last: r.last as CalendarDate } : null;
}

/**
 * Per group: the delivered messages (status sent or stored: a bounced e-mail counts through its
 * fallback, which is a message of its own), each invoice at its first delivered message in the
 * group and each customer at theirs, with what became of them. `deadlines` gives, for every local
 * day a message may fall on, the last day a payment may carry to count as paid within 2 bank days.
 */
export async function reminderFigures(
  q: Queryable,
  o: { merchantId: string; timeZone: string; selection: Selection; groupBy: GroupBy; deadlines: { day: string; deadline: string }[] },
): Promise<GroupFigures[]> {
  const mid = o.merchantId;
  const churnHours = sql.raw(`interval '${CHURN_WINDOW_DAYS * 24} hours'`);
  const res = await q.execute<Record<string, string | number | null>>(sql`
    with deadlines as (
      select day, deadline from jsonb_to_recordset(${JSON.stringify(o.deadlines)}::jsonb) as b(day date, deadline date)
    ), delivered as (
      select m.id, coalesce(m.fallback_of, m.id) as root, m.customer_id, m.business_time,
        (m.business_time at time zone ${o.timeZone})::date as day, ${GROUPS[o.groupBy]} as grp
      from messages m
      where m.merchant_id = ${mid} and m.status in ('sent', 'stored') and ${selected(o.selection)}
    ), reminded as (
      -- Each invoice at its first delivered message in the group (invoices hang on the original message).
      select distinct on (d.grp, mi.invoice_id) d.grp, mi.invoice_id, d.business_time, d.day
      from delivered d join message_invoices mi on mi.merchant_id = ${mid} and mi.message_id = d.root
      order by d.grp, mi.invoice_id, d.business_time, d.id
    ), paid as (
      -- Paid in full now, on the latest booking date of the payments applied to it (every invoice of
      -- a delivered message is in reminded).
      select p.invoice_id, max(p.date) as paid_on
      from payments p join invoices i on i.merchant_id = p.merchant_id and i.id = p.invoice_id
      where p.merchant_id = ${mid} and p.amount_applied > 0 and i.status = 'paid'
        and p.invoice_id in (select invoice_id from reminded)
      group by p.invoice_id
    ), outcome as (
      select r.grp,
        case when pd.paid_on is null then null else greatest(pd.paid_on - r.day, 0) end as days_to_payment,
        coalesce(pd.paid_on <= dl.deadline, false) as in_bank_days,
        coalesce(pd.paid_on <= r.day + ${PAID_WITHIN_DAYS}::int, false) as in_days,
        coalesce(c.escalated_at >= r.business_time, false) as escalated
      from reminded r
      left join paid pd on pd.invoice_id = r.invoice_id
      left join deadlines dl on dl.day = r.day
      left join dunning_cases c on c.merchant_id = ${mid} and c.invoice_id = r.invoice_id
    ), first_to_customer as (
      select distinct on (d.grp, d.customer_id) d.grp, d.customer_id, d.root, d.business_time, d.day
      from delivered d order by d.grp, d.customer_id, d.business_time, d.id
    ), customer_paid as (
      -- Every invoice of the customer's first message in the group paid within 2 bank days of it.
      select f.grp, f.customer_id, bool_and(coalesce(pd.paid_on <= dl.deadline, false)) as paid_in_bank_days
      from first_to_customer f
      join message_invoices mi on mi.merchant_id = ${mid} and mi.message_id = f.root
      left join paid pd on pd.invoice_id = mi.invoice_id
      left join deadlines dl on dl.day = f.day
      group by f.grp, f.customer_id
    ), customer_outcome as (
      select f.grp, cp.paid_in_bank_days,
        -- Churned: a subscription live at the message, none live 90 days (of 24 hours) later.
        exists (
          select 1 from subscriptions s where s.merchant_id = ${mid} and s.customer_id = f.customer_id and s.start_date <= f.day
            and not (s.status = 'canceled' and coalesce(s.ended_at, s.canceled_at) <= f.business_time)
        ) and not exists (
          select 1 from subscriptions s where s.merchant_id = ${mid} and s.customer_id = f.customer_id
            and s.start_date <= ((f.business_time + ${churnHours}) at time zone ${o.timeZone})::date
            and not (s.status = 'canceled' and coalesce(s.ended_at, s.canceled_at) <= f.business_time + ${churnHours})
        ) as churned
      from first_to_customer f join customer_paid cp on cp.grp is not distinct from f.grp and cp.customer_id = f.customer_id
    ), by_message as (
      select grp, count(*) as messages from delivered group by grp
    ), by_invoice as (
      select grp, count(*) as invoices, count(*) filter (where in_bank_days) as paid_bank_days, count(*) filter (where in_days) as paid_days,
        count(days_to_payment) as paid, percentile_disc(0.5) within group (order by days_to_payment) as median_days,
        count(*) filter (where escalated) as escalated
      from outcome group by grp
    ), by_customer as (
      select grp, count(*) as customers, count(*) filter (where paid_in_bank_days) as customers_paid, count(*) filter (where churned) as churned
      from customer_outcome group by grp
    )
    select m.grp, m.messages, coalesce(i.invoices, 0) as invoices, coalesce(i.paid_bank_days, 0) as paid_bank_days, coalesce(i.paid_days, 0) as paid_days,
      coalesce(i.paid, 0) as paid, i.median_days, coalesce(i.escalated, 0) as escalated,
      c.customers, c.customers_paid, c.churned
    from by_message m
    left join by_invoice i on i.grp is not distinct from m.grp
    join by_customer c on c.grp is not distinct from m.grp
    order by m.grp nulls last`);
  return res.rows.map((r) => ({
    key: r.grp as string | null,
    messages: Number(r.messages),
    invoicesReminded: Number(r.invoices),
    paidWithin2BankDays: Number(r.paid_bank_days),
    paidWithin7Days: Number(r.paid_days),
    paid: Number(r.paid),
    medianDaysToPayment: r.median_days === null ? null : Number(r.median_days),
    escalated: Number(r.escalated),
    customers: Number(r.customers),
    customersPaidWithin2BankDays: Number(r.customers_paid),
    churnedWithin90Days: Number(r.churned),
  }));
}
