// The churn analytics resources (churn per period, cohorts, former customers) and their queries.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Nullable, Timestamp } from '../../http/schemas.ts';
import { rateBp } from '../../domain/reminder-analytics.ts';
import { CHURN_INTERVALS, INVOLUNTARY_WINDOW_DAYS, MAX_PERIODS } from '../../domain/churn-metrics.ts';
import { CANCELLATION_INITIATORS, CANCELLATION_REASONS } from '../subscriptions/schema.ts';
import type { ChurnPeriod } from './churn-service.ts';
import type { FormerCustomer } from './churn-store.ts';

const Day = (description: string) => Type.String({ format: 'date', description: `${description} (YYYY-MM-DD, the merchant’s time zone)` });
const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Money = (description: string) => Type.Integer({ description: `${description}, in minor units (öre) per month, without VAT` });
const Rate = (description: string) =>
  Nullable(Type.Integer({ description: `${description}, in basis points (250 = 2.5 %, rounded half away from zero); null when there is nothing to divide by` }));

export const ChurnQuery = Type.Object(
  {
    from: Day('First day of the first period'),
    to: Day(`Day after the last; at most ${MAX_PERIODS} periods`),
    interval: Type.Optional(Type.Enum(CHURN_INTERVALS, { default: 'month', description: 'month (calendar months) or week (ISO weeks, Monday to Sunday); the first and last periods are cut at from and to' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'Only subscriptions in this currency (customers and MRR); default all' })),
  },
  { additionalProperties: false },
);
export type ChurnQuery = Static<typeof ChurnQuery>;

export const MrrMovement = Type.Object(
  {
    currency: Type.String(),
    at_start: Money('MRR at the first instant of the period: the sum over living subscriptions'),
    new: Money('MRR of customers starting their first spell in the period, as they started'),
    returning: Money('MRR of returning customers, as they came back'),
    expansion: Money('Increases of an active customer’s MRR (upgrades, more quantity, another subscription)'),
    contraction: Money('Decreases of an active customer’s MRR that leave them a customer'),
    churned: Money('MRR customers had just before their last subscription ended'),
    at_end: Money('at_start + new + returning + expansion − contraction − churned: the MRR at the next period’s start'),
    net_revenue_churn_bp: Rate('(churned + contraction − expansion) / at_start; negative when expansion outweighs'),
  },
  { additionalProperties: false },
);

export const ChurnPeriodResource = Type.Object(
  {
    start: Day('First day'),
    end: Day('Day after the last'),
    customers_at_start: Count('Customers with a living subscription at the first instant of the period'),
    new_customers: Count('Customers whose first subscription ever started in the period'),
    returning_customers: Count('Former customers who started again in the period (a new subscription, a reactivated one, a welcome-back after unarchiving); counted once per return'),
    churned_customers: Count('Times an active customer’s last living subscription ended in the period'),
    customers_at_end: Count('customers_at_start + new + returning − churned: the customers at the next period’s start'),
    logo_churn_rate_bp: Rate('churned_customers / customers_at_start'),
    voluntary_churn: Count('Churns that were not involuntary'),
    involuntary_churn: Count(
      `Churns whose ending subscription was canceled with initiator involuntary, or where in the ${INVOLUNTARY_WINDOW_DAYS} days before the end a collection attempt of the customer failed (failed or exhausted), a payment plan of theirs defaulted, or an invoice of theirs was escalated to collection`,
    ),
    churn_by_reason: Type.Array(
      Type.Object({ reason: Nullable(Type.Enum(CANCELLATION_REASONS)), customers: Count('Churns with this cancellation reason') }, { additionalProperties: false }),
      { description: 'The churns by the ending subscription’s cancellation reason (null: none given), by reason' },
    ),
    mrr: Type.Array(MrrMovement, { description: 'Per currency with MRR at the start or moving in the period, by currency' }),
  },
  { additionalProperties: false },
);

const churnExample = {
  object: 'churn_analytics',
  livemode: false,
  from: '2026-01-01',
  to: '2026-02-01',
  interval: 'month',
  currency: null,
  time_zone: 'Europe/Stockholm',
  periods: [
    {
      start: '2026-01-01',
      end: '2026-02-01',
      customers_at_start: 200,
      new_customers: 12,
      returning_customers: 2,
      churned_customers: 6,
      customers_at_end: 208,
      logo_churn_rate_bp: 300,
      voluntary_churn: 4,
      involuntary_churn: 2,
      churn_by_reason: [
        { reason: 'too_expensive', customers: 3 },
        { reason: null, customers: 3 },
      ],
      mrr: [{ currency: 'SEK', at_start: 4_000_000, new: 240_000, returning: 40_000, expansion: 30_000, contraction: 10_000, churned: 120_000, at_end: 4_180_000, net_revenue_churn_bp: 250 }],
    },
  ],
};

export const ChurnAnalytics = Type.Object(
  {
    object: Type.Literal('churn_analytics'),
    livemode: Type.Boolean(),
    from: Day('As asked'),
    to: Day('As asked'),
    interval: Type.Enum(CHURN_INTERVALS),
    currency: Nullable(Type.String({ description: 'As asked; null for all' })),
    time_zone: Type.String({ description: 'The merchant’s time zone: periods start at midnight in it' }),
    periods: Type.Array(ChurnPeriodResource),
  },
  { $id: 'ChurnAnalytics', description: 'Customers and MRR won and lost per period', examples: [churnExample] },
);

export const CohortQuery = Type.Object(
  {
    interval: Type.Optional(Type.Enum(['month'] as const, { default: 'month', description: 'Cohorts by calendar month (the only one yet)' })),
    from: Type.Optional(Day('Customers whose first start falls on or after this day; default 12 months before to')),
    to: Type.Optional(Day(`Before this day; default the first of next month (or 12 months after from); at most ${MAX_PERIODS} months after from`)),
  },
  { additionalProperties: false },
);

export const CohortAnalytics = Type.Object(
  {
    object: Type.Literal('cohort_analytics'),
    livemode: Type.Boolean(),
    interval: Type.Literal('month'),
    from: Day('As asked or defaulted'),
    to: Day('As asked or defaulted'),
    time_zone: Type.String(),
    cohorts: Type.Array(
      Type.Object(
        {
          start: Day('First day of the month the cohort’s customers first started in'),
          customers: Count('Customers whose first subscription ever started in that month (in [from, to))'),
          retention: Type.Array(
            Type.Object(
              {
                months: Count('0: at the end of the start month; n: at the end of the nth month after it'),
                active: Count('Of the cohort, customers with a living subscription at that instant (having left and returned counts)'),
                rate_bp: Rate('active / customers'),
              },
              { additionalProperties: false },
            ),
            { description: 'One per month-end that has passed, oldest first' },
          ),
        },
        { additionalProperties: false },
      ),
      { description: 'One per start month with customers, oldest first' },
    ),
  },
  {
    $id: 'CohortAnalytics',
    description: 'Retention by the month customers first started',
    examples: [
      {
        object: 'cohort_analytics',
        livemode: false,
        interval: 'month',
        from: '2026-01-01',
        to: '2026-03-01',
        time_zone: 'Europe/Stockholm',
        cohorts: [{ start: '2026-01-01', customers: 10, retention: [{ months: 0, active: 10, rate_bp: 10_000 }, { months: 1, active: 8, rate_bp: 8000 }] }],
      },
    ],
  },
);

export const FormerCustomersQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('customer', 'Return former customers created before this one (the last id of the previous page)')),
    ending_before: Type.Optional(Id('customer', 'Return former customers created after this one')),
    reason: Type.Optional(Type.Enum(CANCELLATION_REASONS, { description: 'Only those whose last subscription was canceled with this reason' })),
  },
  { additionalProperties: false },
);

export const FormerCustomerResource = Type.Object(
  {
    object: Type.Literal('former_customer'),
    id: Id('customer', 'The customer'),
    name: Type.String(),
    email: Nullable(Type.String()),
    first_started_at: Timestamp('When their first subscription started'),
    ended_at: Timestamp('When their last subscription ended'),
    tenure_days: Count('Whole days (of 24 hours) they were a customer, every spell summed'),
    days_since_leaving: Count('Whole days from ended_at to now'),
    spells: Count('How many times they started (2 or more: they left and came back before)'),
    subscription: Id('subscription', 'The subscription whose end made them a former customer'),
    cancellation_reason: Nullable(Type.Enum(CANCELLATION_REASONS)),
    cancellation_initiator: Nullable(Type.Enum(CANCELLATION_INITIATORS)),
    involuntary: Type.Boolean({ description: 'Counted as involuntary churn (see GET /v1/analytics/churn)' }),
    last_items: Type.Array(
      Type.Object(
        { price: Id('price'), quantity: Type.Integer(), product_name: Nullable(Type.String()), price_nickname: Nullable(Type.String()) },
        { additionalProperties: false },
      ),
      { description: 'What that subscription was on when it ended' },
    ),
  },
  {
    $id: 'FormerCustomer',
    additionalProperties: false,
    description: 'A customer who had a subscription and has none now',
    examples: [
      {
        object: 'former_customer',
        id: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        name: 'Anna Andersson',
        email: 'anna@example.se',
        first_started_at: '2025-12-14T23:00:00.000Z',
        ended_at: '2026-01-20T10:00:00.000Z',
        tenure_days: 36,
        days_since_leaving: 308,
        spells: 1,
        subscription: 'sub_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        cancellation_reason: 'too_expensive',
        cancellation_initiator: 'customer',
        involuntary: false,
        last_items: [{ price: 'price_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', quantity: 1, product_name: 'Tidning', price_nickname: 'Helår' }],
      },
    ],
  },
);

export const FormerCustomerList = ListOf(FormerCustomerResource, 'A page of former customers, newest customer first');

/** A signed rate in basis points, rounded half away from zero; null when there is nothing to divide by. */
export function signedRateBp(count: number, of: number): number | null {
  if (of <= 0) return null;
  const r = rateBp(Math.abs(count), of)!;
  return count < 0 ? -r : r;
}

export function toPeriodResource(p: ChurnPeriod): Static<typeof ChurnPeriodResource> {
  const c = p.customers;
  return {
    start: p.start,
    end: p.end,
    customers_at_start: c.atStart,
    new_customers: c.new,
    returning_customers: c.returning,
    churned_customers: c.churned,
    customers_at_end: c.atStart + c.new + c.returning - c.churned,
    logo_churn_rate_bp: rateBp(c.churned, c.atStart),
    voluntary_churn: c.voluntary,
    involuntary_churn: c.involuntary,
    churn_by_reason: c.byReason.map((r) => ({ reason: r.reason as (typeof CANCELLATION_REASONS)[number] | null, customers: r.churned })),
    mrr: p.mrr.map((m) => ({
      currency: m.currency,
      at_start: m.atStart,
      new: m.new,
      returning: m.returning,
      expansion: m.expansion,
      contraction: m.contraction,
      churned: m.churned,
      at_end: m.atStart + m.new + m.returning + m.expansion - m.contraction - m.churned,
      net_revenue_churn_bp: signedRateBp(m.churned + m.contraction - m.expansion, m.atStart),
    })),
  };
}

export function toFormerCustomerResource(f: FormerCustomer): Static<typeof FormerCustomerResource> {
  return {
    object: 'former_customer',
    id: f.customerId,
    name: f.name,
    email: f.email,
    first_started_at: f.firstStartedAt.toISOString(),
    ended_at: f.endedAt.toISOString(),
    tenure_days: f.tenureDays,
    days_since_leaving: Math.max(0, f.daysSinceLeaving),
    spells: f.spells,
    subscription: f.subscriptionId,
    cancellation_reason: f.reason as (typeof CANCELLATION_REASONS)[number] | null,
    cancellation_initiator: f.initiator as (typeof CANCELLATION_INITIATORS)[number] | null,
    involuntary: f.involuntary,
    last_items: f.items.map((i) => ({ price: i.price, quantity: i.quantity, product_name: i.product, price_nickname: i.nickname })),
  };
}

export const CSV_COLUMNS = [
  'period_start', 'period_end', 'customers_at_start', 'new_customers', 'returning_customers', 'churned_customers', 'customers_at_end',
  'logo_churn_rate_bp', 'voluntary_churn', 'involuntary_churn', 'churn_by_reason', 'currency', 'mrr_at_start', 'mrr_new', 'mrr_returning',
  'mrr_expansion', 'mrr_contraction', 'mrr_churned', 'mrr_at_end', 'net_revenue_churn_bp',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per period and currency (a period without MRR: one row, the MRR columns empty), CRLF line ends. */
export function churnCsv(periods: Static<typeof ChurnPeriodResource>[]): string {
  const rows: (string | number | null)[][] = [[...CSV_COLUMNS]];
  for (const p of periods) {
    const customers = [
      p.start, p.end, p.customers_at_start, p.new_customers, p.returning_customers, p.churned_customers, p.customers_at_end,
      p.logo_churn_rate_bp, p.voluntary_churn, p.involuntary_churn, p.churn_by_reason.map((r) => `${r.reason ?? 'none'}: ${r.customers}`).join(', '),
    ];
    const mrr = p.mrr.length > 0 ? p.mrr : [null];
    for (const m of mrr) {
      rows.push([
        ...customers,
        ...(m ? [m.currency, m.at_start, m.new, m.returning, m.expansion, m.contraction, m.churned, m.at_end, m.net_revenue_churn_bp] : Array(9).fill(null)),
      ]);
    }
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
