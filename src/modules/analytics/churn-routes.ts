// GET /v1/analytics/churn (and .csv), /v1/analytics/cohorts, /v1/analytics/former-customers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problemResponses } from '../../http/schemas.ts';
import { INVOLUNTARY_WINDOW_DAYS, MAX_PERIODS } from '../../domain/churn-metrics.ts';
import type { Caller } from '../../db/unit-of-work.ts';
import type { ChurnAnalyticsService } from './churn-service.ts';
import {
  ChurnAnalytics,
  ChurnQuery,
  CohortAnalytics,
  CohortQuery,
  FormerCustomerList,
  FormerCustomersQuery,
  churnCsv,
  CSV_COLUMNS,
  toFormerCustomerResource,
  toPeriodResource,
} from './churn-contract.ts';

const tags = ['Analytics'];

const definitions = [
  'Counted from the rows as they are now, in the merchant’s time zone: a period starts at midnight of its first day.',
  '**A customer** is active while one of their subscriptions lives: from its start date (a trial’s end, when it has a trial: a trial that never converts is not counted) to the instant it ended (`ended_at`), less the time between a cancellation and a reactivation (from the `subscription.canceled` and `subscription.reactivated` events); a subscription that ended before it began never counts. Scheduled subscriptions count from their start date, also in future periods. A pause does not end a subscription.',
  '**New**: a customer’s first subscription ever starts. **Returning**: a customer who was active before, and was not just before, starts again (a new subscription after leaving, a reactivation, a welcome-back). **Churned**: an active customer’s last living subscription ends; a change from one subscription to another without a gap is no churn.',
  '**MRR** (monthly recurring revenue) of a subscription: per recurring price line, unit amount × quantity without VAT (an inclusive price has its VAT taken out, rounded to whole öre), divided by the months its interval covers (quarter 3, year 12, times the interval count; rounded to whole öre); one-time prices are none. In minor units per currency, never converted. A subscription’s items over time come from its `subscription.updated` events (their previous items, at the event’s creation time) and its current items.',
  '**MRR movements** at each instant a customer’s MRR changes: new or returning MRR is what they start with; churned MRR what they had just before they left; otherwise an increase is expansion and a decrease contraction. **Net revenue churn** = (churned + contraction − expansion) / MRR at start.',
  `**Involuntary** churn: the ending subscription was canceled with initiator \`involuntary\`, or in the ${INVOLUNTARY_WINDOW_DAYS} days before the end a collection attempt of the customer failed (status failed or exhausted), a payment plan of theirs defaulted, or an invoice of theirs was escalated to collection. Every other churn is voluntary. The reason is the ending subscription’s cancellation reason.`,
  `\`from\` must come before \`to\`, at most ${MAX_PERIODS} periods (400 naming the field).`,
].join('\n\n');

export const churnRoutes =
  (deps: { churn: ChurnAnalyticsService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { churn } = deps;
    const figures = (caller: Caller, q: { from: string; to: string; interval?: 'month' | 'week' | undefined; currency?: string | undefined }) =>
      churn.churn(caller, { from: q.from, to: q.to, interval: q.interval ?? 'month', currency: q.currency });

    app.get('/v1/analytics/churn', {
      schema: {
        operationId: 'getChurnAnalytics',
        summary: 'Customers and MRR won and lost per period',
        description: definitions,
        tags,
        querystring: ChurnQuery,
        response: { 200: ChurnAnalytics, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const r = await figures(req.caller, req.query);
        return {
          object: 'churn_analytics' as const,
          livemode: req.principal.livemode,
          from: r.from,
          to: r.to,
          interval: r.interval,
          currency: r.currency,
          time_zone: r.timeZone,
          periods: r.periods.map(toPeriodResource),
        };
      },
    });

    app.get('/v1/analytics/churn.csv', {
      schema: {
        operationId: 'getChurnAnalyticsCsv',
        summary: 'The churn figures as CSV',
        description:
          'The figures of GET /v1/analytics/churn (same query, same definitions) for a spreadsheet: UTF-8, comma-separated, a header row, CRLF line ends, fields quoted when they hold a comma or quote (RFC 4180). One row per period and currency; a period without MRR has one row with the MRR columns empty. `churn_by_reason` reads like `too_expensive: 2, none: 1`.',
        tags,
        querystring: ChurnQuery,
        produces: ['text/csv'],
        response: {
          200: {
            description: 'The figures as CSV',
            content: {
              'text/csv': {
                schema: Type.String(),
                example: `${CSV_COLUMNS.join(',')}\r\n2026-04-01,2026-05-01,7,1,0,2,6,2857,1,1,"no_longer_needed: 1, other: 1",SEK,90000,10000,0,0,0,20000,80000,2222\r\n`,
              },
            },
          },
          ...problemResponses('validation_failed'),
        },
      },
      handler: async (req, reply) => {
        const r = await figures(req.caller, req.query);
        reply.type('text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="churn-${r.from}-${r.to}-${r.interval}.csv"`);
        return churnCsv(r.periods.map(toPeriodResource));
      },
    });

    app.get('/v1/analytics/cohorts', {
      schema: {
        operationId: 'getCohortAnalytics',
        summary: 'Retention by start month',
        description:
          'Customers grouped by the month (merchant’s time zone) their first subscription ever started, and how many of each cohort were active (as defined for GET /v1/analytics/churn) at the end of their start month and of each month after it that has ended. A customer who left and came back counts as active again.',
        tags,
        querystring: CohortQuery,
        response: { 200: CohortAnalytics, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const r = await churn.cohorts(req.caller, { from: req.query.from, to: req.query.to });
        return {
          object: 'cohort_analytics' as const,
          livemode: req.principal.livemode,
          interval: 'month' as const,
          from: r.from,
          to: r.to,
          time_zone: r.timeZone,
          cohorts: r.cohorts.map((c) => ({
            start: c.start,
            customers: c.customers,
            retention: c.active.map((active, months) => ({ months, active, rate_bp: c.customers > 0 ? Math.floor((active * 20_000 + c.customers) / (2 * c.customers)) : null })),
          })),
        };
      },
    });

    app.get('/v1/analytics/former-customers', {
      schema: {
        operationId: 'listFormerCustomers',
        summary: 'Former customers, for win-back',
        description:
          'Customers who had a subscription and have none living now or later (as defined for GET /v1/analytics/churn), newest customer first, with how long they stayed, what they were on, why they left and how long ago. A customer who came back is not listed; they count as returning in the churn figures. Page with `starting_after`.',
        tags,
        querystring: FormerCustomersQuery,
        response: { 200: FormerCustomerList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, reason } = req.query;
        const page = await churn.formerCustomers(req.caller, { reason }, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map(toFormerCustomerResource), has_more: page.hasMore };
      },
    });
  };
