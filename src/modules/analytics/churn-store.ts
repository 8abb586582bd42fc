// The churn figures, counted in statements over the rows (a read model: it reads subscriptions,
// their items and item-change events, prices, collection attempts, payment plans and dunning cases
// of one merchant; it writes nothing). The definitions are in src/domain/churn-metrics.ts, the
// README and the OpenAPI descriptions of the /v1/analytics/churn routes.
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.ts';
import { INVOLUNTARY_WINDOW_DAYS } from '../../domain/churn-metrics.ts';

/**
 * `moves`: every instant a customer's state changes, with what changed. A subscription lives from
 * its start (or its trial's end) in the merchant's time zone to ended_at (or canceled_at), less the
 * gaps between a cancellation and a reactivation; a life that ended before it began never counts. Its items over time: the current subscription_items, and
 * before each `subscription.updated` event that changed them, that event's previous items (the
 * event's created_at is when they changed). A customer is active while any subscription lives; at
 * each instant one starts or ends or its items change, the customer's MRR per currency before and
 * after, and whether they were active before and after.
 */
function movesCte(merchantId: string, timeZone: string, currency: string | null): SQL {
  const mid = merchantId;
  return sql`
    subs as (
      select s.id, s.customer_id, s.currency, s.cancellation_reason, s.cancellation_initiator,
        (coalesce(s.trial_end, s.start_date)::timestamp at time zone ${timeZone}) as live_from,
        case when s.status = 'canceled' then coalesce(s.ended_at, s.canceled_at) end as live_to
      from subscriptions s
      where s.merchant_id = ${mid} ${currency ? sql`and s.currency = ${currency}` : sql``}
    ), gaps as (
      -- A canceled subscription reactivated later: gone from its subscription.canceled event's
      -- ended_at to the next subscription.reactivated event (the row keeps only its last end).
      -- Both must be in one clock's time: a test-clock customer's reactivation is not (the event
      -- carries the wall-clock time), so theirs are not seen.
      select c.object_id as sub_id, (c.data->'object'->>'ended_at')::timestamptz as gap_from, r.created_at as gap_to,
        c.data->'object'->'cancellation_details'->>'reason' as reason, c.data->'object'->'cancellation_details'->>'initiator' as initiator
      from events c
      join lateral (
        select r.created_at from events r
        where r.merchant_id = ${mid} and r.type = 'subscription.reactivated' and r.object_id = c.object_id and (r.created_at, r.id) > (c.created_at, c.id)
        order by r.created_at, r.id limit 1
      ) r on true
      where c.merchant_id = ${mid} and c.type = 'subscription.canceled' and c.data->'object'->>'ended_at' is not null
        and c.object_id in (select s.id from subs s join customers cu on cu.merchant_id = ${mid} and cu.id = s.customer_id and cu.test_clock_id is null)
    ), cuts as (
      select *, row_number() over (partition by sub_id order by gap_from) as k from gaps where gap_to > gap_from
    ), lived as (
      -- Each life of a subscription: from its start (or a reactivation) to a cancellation (or its end).
      select s.id, s.customer_id, s.currency,
        coalesce(prev.gap_to, s.live_from) as live_from, coalesce(nxt.gap_from, s.live_to) as live_to,
        case when nxt.sub_id is null then s.cancellation_reason else nxt.reason end as cancellation_reason,
        case when nxt.sub_id is null then s.cancellation_initiator else nxt.initiator end as cancellation_initiator
      from subs s
      left join (select sub_id, count(*)::int as n from cuts group by sub_id) nc on nc.sub_id = s.id
      cross join lateral generate_series(1, 1 + coalesce(nc.n, 0)) n(k)
      left join cuts prev on prev.sub_id = s.id and prev.k = n.k - 1
      left join cuts nxt on nxt.sub_id = s.id and nxt.k = n.k
      where coalesce(nxt.gap_from, s.live_to) is null or coalesce(nxt.gap_from, s.live_to) > coalesce(prev.gap_to, s.live_from)
    ), item_changes as (
      select e.object_id as sub_id, e.id, e.created_at as at, e.data->'previous_attributes'->'items' as before, e.data->'object'->'items' as after
      from events e
      where e.merchant_id = ${mid} and e.type = 'subscription.updated' and e.data->'previous_attributes' ? 'items'
        and e.object_id in (select id from lived)
    ), item_spans as (
      select sub_id, at as f, lead(at) over (partition by sub_id order by at, id) as t, after as items from item_changes
      union all
      (select distinct on (sub_id) sub_id, null::timestamptz, at, before from item_changes order by sub_id, at, id)
      union all
      select l.id, null::timestamptz, null::timestamptz, coalesce((
        select jsonb_agg(jsonb_build_object('price', i.price_id, 'quantity', i.quantity))
        from subscription_items i where i.merchant_id = ${mid} and i.subscription_id = l.id), '[]'::jsonb)
      from subs l where not exists (select 1 from item_changes c where c.sub_id = l.id)
    ), span_mrr as (
      select sp.sub_id, sp.f, sp.t, coalesce(sum(
        case when p.type = 'recurring' and p.recurring_interval is not null then
          round(round(case when p.tax_behavior = 'inclusive' then (p.unit_amount * (it->>'quantity')::bigint) * 100.0 / (100 + p.vat_rate)
                           else (p.unit_amount * (it->>'quantity')::bigint)::numeric end)
                / (case p.recurring_interval when 'month' then 1 when 'quarter' then 3 else 12 end * coalesce(p.recurring_interval_count, 1)))
        else 0 end), 0)::bigint as mrr
      from item_spans sp
      left join lateral jsonb_array_elements(sp.items) it on true
      left join prices p on p.merchant_id = ${mid} and p.id = it->>'price'
      group by sp.sub_id, sp.f, sp.t
    ), seg as (
      -- Each subscription's item spans cut to its life.
      select l.id as sub_id, l.customer_id, l.currency, greatest(l.live_from, coalesce(m.f, l.live_from)) as f,
        case when l.live_to is null then m.t when m.t is null then l.live_to else least(l.live_to, m.t) end as t, m.mrr
      from lived l join span_mrr m on m.sub_id = l.id
      where (m.t is null or m.t > l.live_from) and (m.f is null or l.live_to is null or m.f < l.live_to)
    ), points as (
      select customer_id, f as at from seg union select customer_id, t from seg where t is not null
    ), cur_state as (
      select p.customer_id, p.at, x.currency,
        coalesce(sum(x.mrr) filter (where x.f < p.at and (x.t is null or x.t >= p.at)), 0)::bigint as mrr_before,
        coalesce(sum(x.mrr) filter (where x.f <= p.at and (x.t is null or x.t > p.at)), 0)::bigint as mrr_after,
        coalesce(bool_or(x.f < p.at and (x.t is null or x.t >= p.at)), false) as on_before,
        coalesce(bool_or(x.f <= p.at and (x.t is null or x.t > p.at)), false) as on_after
      from points p join seg x on x.customer_id = p.customer_id and x.f <= p.at and (x.t is null or x.t >= p.at)
      group by p.customer_id, p.at, x.currency
    ), first_start as (
      select customer_id, min(f) as at from seg group by customer_id
    ), moves as (
      select c.customer_id, c.at, c.currency, c.mrr_before, c.mrr_after,
        bool_or(c.on_before) over (partition by c.customer_id, c.at) as was_active,
        bool_or(c.on_after) over (partition by c.customer_id, c.at) as is_active,
        fs.at = c.at as first
      from cur_state c join first_start fs on fs.customer_id = c.customer_id
    )`;
}

/** The subscription whose end ended a customer's spell at `at`, and whether the end was involuntary. */
function churnsCte(merchantId: string): SQL {
  const mid = merchantId;
  const window = sql.raw(`interval '${INVOLUNTARY_WINDOW_DAYS * 24} hours'`);
  return sql`
    ends as (
      select distinct customer_id, at from moves where was_active and not is_active
    ), churns as (
      select distinct on (e.customer_id, e.at) e.customer_id, e.at, l.id as sub_id, l.cancellation_reason as reason, l.cancellation_initiator as initiator,
        (l.cancellation_initiator = 'involuntary'
          or exists (select 1 from collection_attempts a where a.merchant_id = ${mid} and a.customer_id = e.customer_id
                     and a.status in ('failed', 'exhausted') and coalesce(a.completed_at, a.updated_at) > e.at - ${window} and coalesce(a.completed_at, a.updated_at) <= e.at)
          or exists (select 1 from payment_plans pp where pp.merchant_id = ${mid} and pp.customer_id = e.customer_id
                     and pp.status = 'defaulted' and pp.ended_at > e.at - ${window} and pp.ended_at <= e.at)
          or exists (select 1 from dunning_cases dc where dc.merchant_id = ${mid} and dc.customer_id = e.customer_id
                     and dc.escalated_at > e.at - ${window} and dc.escalated_at <= e.at)) as involuntary
      from ends e join lived l on l.customer_id = e.customer_id and l.live_to = e.at
      order by e.customer_id, e.at, l.id desc
    )`;
}

/**
 * For the transaction the figures are read in: no JIT. These statements cost enough for the planner
 * to compile them, and compiling took 2.6 s of a 0.6 s statement (5,000 customers).
 */
export async function withoutJit(tx: Tx): Promise<void> {
  await tx.execute(sql`set local jit = off`);
}

export type PeriodBounds = { idx: number; start: Date; end: Date };

export type PeriodCustomers = {
  idx: number;
  atStart: number;
  new: number;
  returning: number;
  churned: number;
  voluntary: number;
  involuntary: number;
  byReason: { reason: string | null; churned: number }[];
};
export type PeriodMrr = { idx: number; currency: string; atStart: number; new: number; returning: number; expansion: number; contraction: number; churned: number };

/**
 * Per period, in one statement: the customer counts and, per currency, the MRR movements. The state "at start" is
 * the one just before the period's first instant, since what changes at that instant is the
 * period's own move (a customer starting at midnight of the 1st is new in that month).
 */
export async function churnFigures(
  q: Queryable,
  o: { merchantId: string; timeZone: string; currency: string | null; periods: PeriodBounds[] },
): Promise<{ customers: PeriodCustomers[]; mrr: PeriodMrr[] }> {
  const periods = JSON.stringify(o.periods.map((p) => ({ idx: p.idx, ps: p.start.toISOString(), pe: p.end.toISOString() })));
  const res = await q.execute<Record<string, unknown>>(sql`
    with periods as (
      select idx, ps, pe from jsonb_to_recordset(${periods}::jsonb) as b(idx int, ps timestamptz, pe timestamptz)
    ), ${movesCte(o.merchantId, o.timeZone, o.currency)}, ${churnsCte(o.merchantId)},
    customer_moves as (
      select distinct customer_id, at, was_active, is_active, first from moves where was_active <> is_active
    ), at_start as (
      select p.idx, count(distinct x.customer_id) as n from periods p join seg x on x.f < p.ps and (x.t is null or x.t >= p.ps) group by p.idx
    ), counted as (
      select p.idx,
        count(*) filter (where not m.was_active and m.first) as new,
        count(*) filter (where not m.was_active and not m.first) as returning,
        count(*) filter (where m.was_active) as churned
      from periods p join customer_moves m on m.at >= p.ps and m.at < p.pe group by p.idx
    ), kinds as (
      select p.idx, count(*) filter (where c.involuntary) as involuntary, count(*) filter (where not c.involuntary) as voluntary,
        jsonb_agg(c.reason) as reasons
      from periods p join churns c on c.at >= p.ps and c.at < p.pe group by p.idx
    ), mrr_start as (
      select p.idx, x.currency, sum(x.mrr) as mrr from periods p join seg x on x.f < p.ps and (x.t is null or x.t >= p.ps) group by p.idx, x.currency
    ), mrr_moved as (
      select p.idx, m.currency,
        sum(m.mrr_after) filter (where not m.was_active and m.first) as new,
        sum(m.mrr_after) filter (where not m.was_active and not m.first) as returning,
        sum(m.mrr_after - m.mrr_before) filter (where m.was_active and m.is_active and m.mrr_after > m.mrr_before) as expansion,
        sum(m.mrr_before - m.mrr_after) filter (where m.was_active and m.is_active and m.mrr_after < m.mrr_before) as contraction,
        sum(m.mrr_before) filter (where m.was_active and not m.is_active) as churned
      from periods p join moves m on m.at >= p.ps and m.at < p.pe group by p.idx, m.currency
    ), mrr as (
      select coalesce(a.idx, v.idx) as idx, jsonb_agg(jsonb_build_object(
          'currency', coalesce(a.currency, v.currency), 'at_start', coalesce(a.mrr, 0), 'new', coalesce(v.new, 0), 'returning', coalesce(v.returning, 0),
          'expansion', coalesce(v.expansion, 0), 'contraction', coalesce(v.contraction, 0), 'churned', coalesce(v.churned, 0))
        order by coalesce(a.currency, v.currency)) as list
      from mrr_start a full join mrr_moved v on v.idx = a.idx and v.currency = a.currency
      group by 1
    )
    select p.idx, coalesce(s.n, 0) as at_start, coalesce(c.new, 0) as new, coalesce(c.returning, 0) as returning, coalesce(c.churned, 0) as churned,
      coalesce(k.voluntary, 0) as voluntary, coalesce(k.involuntary, 0) as involuntary, coalesce(k.reasons, '[]'::jsonb) as reasons,
      coalesce(mm.list, '[]'::jsonb) as mrr
    from periods p left join at_start s on s.idx = p.idx left join counted c on c.idx = p.idx left join kinds k on k.idx = p.idx
      left join mrr mm on mm.idx = p.idx
    order by p.idx`);
  const customers = res.rows.map((r) => {
    const reasons = r.reasons as (string | null)[];
    const counts = new Map<string | null, number>();
    for (const x of reasons) counts.set(x, (counts.get(x) ?? 0) + 1);
    const byReason = [...counts].map(([reason, churned]) => ({ reason, churned })).sort((a, b) => (a.reason ?? '\uffff').localeCompare(b.reason ?? '\uffff'));
    return {
      idx: Number(r.idx),
      atStart: Number(r.at_start),
      new: Number(r.new),
      returning: Number(r.returning),
      churned: Number(r.churned),
      voluntary: Number(r.voluntary),
      involuntary: Number(r.involuntary),
      byReason,
    };
  });
  const mrr = res.rows.flatMap((r) =>
    (r.mrr as Record<string, string | number>[]).map((m) => ({
      idx: Number(r.idx),
      currency: String(m.currency),
      atStart: Number(m.at_start),
      new: Number(m.new),
      returning: Number(m.returning),
      expansion: Number(m.expansion),
      contraction: Number(m.contraction),
      churned: Number(m.churned),
    })),
  );
  return { customers, mrr };
}

export type CohortFigures = { start: string; customers: number; active: number[] };

/**
 * Per start month (a customer's first start, in the merchant's time zone) in [from, to): how many
 * customers started, and how many of them were active at the first instant of each following
 * month (index 0: the end of the start month), up to `now`.
 */
export async function cohortFigures(q: Queryable, o: { merchantId: string; timeZone: string; from: string; to: string; now: Date }): Promise<CohortFigures[]> {
  const tz = o.timeZone;
  const res = await q.execute<{ start: string; customers: string; active: number[] | null }>(sql`
    with ${movesCte(o.merchantId, tz, null)},
    cohort as (
      select customer_id, date_trunc('month', at at time zone ${tz})::date as month from first_start
      where (at at time zone ${tz})::date >= ${o.from}::date and (at at time zone ${tz})::date < ${o.to}::date
    ), checks as (
      select c.month, k, (((c.month + make_interval(months => k + 1))::timestamp) at time zone ${tz}) as at
      from (select distinct month from cohort) c
      cross join generate_series(0, 240) k
      where (((c.month + make_interval(months => k + 1))::timestamp) at time zone ${tz}) <= ${o.now.toISOString()}::timestamptz
    ), retained as (
      select ch.month, ch.k, count(distinct c.customer_id) as n
      from checks ch
      left join (cohort c join seg x on x.customer_id = c.customer_id) on c.month = ch.month and x.f <= ch.at and (x.t is null or x.t > ch.at)
      group by ch.month, ch.k
    )
    select to_char(c.month, 'YYYY-MM-DD') as start, count(*) as customers,
      (select array_agg(r.n order by r.k) from retained r where r.month = c.month) as active
    from cohort c group by c.month order by c.month`);
  return res.rows.map((r) => ({ start: r.start, customers: Number(r.customers), active: (r.active ?? []).map(Number) }));
}

export type FormerCustomer = {
  customerId: string;
  name: string;
  email: string | null;
  firstStartedAt: Date;
  endedAt: Date;
  tenureDays: number;
  daysSinceLeaving: number;
  spells: number;
  subscriptionId: string;
  reason: string | null;
  initiator: string | null;
  involuntary: boolean;
  items: { price: string; quantity: number; product: string | null; nickname: string | null }[];
};

/**
 * Customers with no subscription living at `now` (a test-clock customer's: their clock's time) or later who had one: their spells' total length,
 * the subscription whose end ended the last spell (its items, reason, initiator), newest id first.
 */
export async function formerCustomers(
  q: Queryable,
  o: { merchantId: string; timeZone: string; now: Date; reason: string | null; limit: number; startingAfter?: string | undefined; endingBefore?: string | undefined },
): Promise<FormerCustomer[]> {
  const mid = o.merchantId;
  const now = o.now.toISOString();
  const page = o.endingBefore ? sql`and c.id > ${o.endingBefore}` : o.startingAfter ? sql`and c.id < ${o.startingAfter}` : sql``;
  const res = await q.execute<Record<string, unknown>>(sql`
    with ${movesCte(mid, o.timeZone, null)}, ${churnsCte(mid)},
    customer_now as (
      -- A test-clock customer's now is their clock's.
      select c.id as customer_id, coalesce(tc.frozen_time, ${now}::timestamptz) as now
      from customers c left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
      where c.merchant_id = ${mid}
    ), former as (
      select s.customer_id, n.now from seg s join customer_now n on n.customer_id = s.customer_id
      group by s.customer_id, n.now having bool_and(s.t is not null and s.t <= n.now)
    ), spells as (
      select customer_id, count(*) filter (where not was_active) as spells,
        sum(extract(epoch from at)) filter (where was_active) - sum(extract(epoch from at)) filter (where not was_active) as seconds
      from (select distinct customer_id, at, was_active from moves where was_active <> is_active) m
      where customer_id in (select customer_id from former) group by customer_id
    ), last_churn as (
      select distinct on (customer_id) * from churns where customer_id in (select customer_id from former) order by customer_id, at desc
    )
    select c.id, c.name, c.email, fo.now, fs.at as first_started_at, lc.at as ended_at, s.seconds, s.spells, lc.sub_id, lc.reason, lc.involuntary, lc.initiator,
      coalesce((select jsonb_agg(jsonb_build_object('price', i.price_id, 'quantity', i.quantity, 'product', pr.name, 'nickname', p.nickname) order by i.id)
        from subscription_items i left join prices p on p.merchant_id = i.merchant_id and p.id = i.price_id
        left join products pr on pr.merchant_id = p.merchant_id and pr.id = p.product_id
        where i.merchant_id = ${mid} and i.subscription_id = lc.sub_id), '[]'::jsonb) as items
    from customers c
    join former fo on fo.customer_id = c.id
    join last_churn lc on lc.customer_id = c.id
    join spells s on s.customer_id = c.id
    join first_start fs on fs.customer_id = c.id
    where c.merchant_id = ${mid} ${o.reason ? sql`and lc.reason = ${o.reason}` : sql``} ${page}
    order by c.id ${o.endingBefore ? sql`asc` : sql`desc`}
    limit ${o.limit + 1}`);
  return res.rows.map((r) => {
    const endedAt = new Date(r.ended_at as string | Date);
    return {
      customerId: String(r.id),
      name: String(r.name),
      email: (r.email as string | null) ?? null,
      firstStartedAt: new Date(r.first_started_at as string | Date),
      endedAt,
      tenureDays: Math.floor(Number(r.seconds) / 86_400),
      daysSinceLeaving: Math.floor((new Date(r.now as string | Date).getTime() - endedAt.getTime()) / 86_400_000),
      spells: Number(r.spells),
      subscriptionId: String(r.sub_id),
      reason: (r.reason as string | null) ?? null,
      initiator: (r.initiator as string | null) ?? null,
      involuntary: Boolean(r.involuntary),
      items: r.items as FormerCustomer['items'],
    };
  });
}
