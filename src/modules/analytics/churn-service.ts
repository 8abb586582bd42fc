// Churn analytics: customers and MRR won and lost per period, retention by start month, and the
// former customers a win-back campaign would call. Read-only, counted from the rows as they are now.
import type { Db, Tx } from '../../db/client.ts';
import type { Clock } from '../../clock.ts';
import { inTransaction, type Caller } from '../../db/unit-of-work.ts';
import { invalid, type FieldError } from '../../kernel/errors.ts';
import { addMonthsClamped, compare, fromParts, parseCalendarDate, startOfDayInstant, toCalendarDate, toParts, type CalendarDate } from '../../domain/calendar-date.ts';
import { MAX_PERIODS, periodsOf, type ChurnInterval, type Period } from '../../domain/churn-metrics.ts';
import type { PageParams, Page } from '../../db/page.ts';
import type { MerchantService } from '../merchants/service.ts';
import * as store from './churn-store.ts';

export type ChurnPeriod = Period & { customers: store.PeriodCustomers; mrr: store.PeriodMrr[] };

function dates(query: { from?: string | undefined; to?: string | undefined }, errors: FieldError[]) {
  const out: { from?: CalendarDate | null; to?: CalendarDate | null } = {};
  for (const field of ['from', 'to'] as const) {
    if (query[field] === undefined) continue;
    const d = parseCalendarDate(query[field]);
    if (!d) errors.push({ field, location: 'query', message: 'is not a date (YYYY-MM-DD)' });
    out[field] = d;
  }
  if (out.from && out.to && compare(out.from, out.to) >= 0) errors.push({ field: 'to', location: 'query', message: `must be after from (${out.from}); the span is [from, to)` });
  return out;
}

export function createChurnAnalyticsService(deps: { db: Db; clock: Clock; merchants: Pick<MerchantService, 'get'> }) {
  const { db, clock, merchants } = deps;

  /** The statements in a transaction of their own, without JIT (see churn-store.ts). */
  const read = <T>(tenant: Caller, fn: (tx: Tx) => Promise<T>) =>
    inTransaction(db, tenant, async (tx) => {
      await store.withoutJit(tx);
      return fn(tx);
    });

  return {
    /** GET /v1/analytics/churn: [from, to) in the merchant's time zone, cut on calendar months or ISO weeks. */
    async churn(tenant: Caller, query: { from: string; to: string; interval: ChurnInterval; currency?: string | undefined }) {
      const errors: FieldError[] = [];
      const { from, to } = dates(query, errors);
      const periods = from && to && compare(from, to) < 0 ? periodsOf(from, to, query.interval) : [];
      if (periods.length > MAX_PERIODS) errors.push({ field: 'to', location: 'query', message: `asks more than ${MAX_PERIODS} ${query.interval}s` });
      if (errors.length > 0) throw invalid(errors);
      const merchant = await merchants.get(tenant);
      const timeZone = merchant.timeZone;
      const bounds = periods.map((p, idx) => ({ idx, start: startOfDayInstant(p.start, timeZone), end: startOfDayInstant(p.end, timeZone) }));
      const figures = await read(tenant, (tx) => store.churnFigures(tx, { merchantId: tenant.merchantId, timeZone, currency: query.currency ?? null, periods: bounds }));
      const out: ChurnPeriod[] = periods.map((p, idx) => ({
        ...p,
        customers: figures.customers[idx]!,
        mrr: figures.mrr.filter((m) => m.idx === idx),
      }));
      return { from: from!, to: to!, interval: query.interval, currency: query.currency ?? null, timeZone, periods: out };
    },

    /** GET /v1/analytics/cohorts: start months in [from, to); by default the twelve months up to the current one. */
    async cohorts(tenant: Caller, query: { from?: string | undefined; to?: string | undefined }) {
      const errors: FieldError[] = [];
      const asked = dates(query, errors);
      if (errors.length > 0) throw invalid(errors);
      const merchant = await merchants.get(tenant);
      const timeZone = merchant.timeZone;
      const now = clock.now();
      const today = toParts(toCalendarDate(now, timeZone));
      const to = asked.to ?? (asked.from ? addMonthsClamped(asked.from, 12) : addMonthsClamped(fromParts(today.year, today.month, 1), 1));
      const from = asked.from ?? addMonthsClamped(to, -12);
      if (errors.length === 0 && periodsOf(from, to, 'month').length > MAX_PERIODS) errors.push({ field: 'to', location: 'query', message: `asks more than ${MAX_PERIODS} months` });
      if (errors.length > 0) throw invalid(errors);
      const cohorts = await read(tenant, (tx) => store.cohortFigures(tx, { merchantId: tenant.merchantId, timeZone, from, to, now }));
      return { from, to, timeZone, now, cohorts };
    },

    /** GET /v1/analytics/former-customers: newest customer first. */
    async formerCustomers(tenant: Caller, filter: { reason?: string | undefined }, page: PageParams): Promise<Page<store.FormerCustomer> & { now: Date }> {
      const merchant = await merchants.get(tenant);
      const now = clock.now();
      const rows = await read(tenant, (tx) => store.formerCustomers(tx, { merchantId: tenant.merchantId, timeZone: merchant.timeZone, now, reason: filter.reason ?? null, ...page }));
      const hasMore = rows.length > page.limit;
      const data = hasMore ? rows.slice(0, page.limit) : rows;
      return { data: page.endingBefore ? data.reverse() : data, hasMore, now };
    },
  };
}
export type ChurnAnalyticsService = ReturnType<typeof createChurnAnalyticsService>;
