// Reminder analytics: what became of the reminders a merchant sent (paid within 2 bank days and 7
// days, days to payment, escalations, churn), counted from the rows as they are now.
import type { Db, Queryable } from '../../db/client.ts';
import { queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { invalid } from '../../kernel/errors.ts';
import { addDays, parseCalendarDate, startOfDayInstant, type CalendarDate } from '../../domain/calendar-date.ts';
import { bankDayDeadlines, spanProblem } from '../../domain/reminder-analytics.ts';
import type { MerchantService } from '../merchants/service.ts';
import * as store from './store.ts';

export type { GroupFigures, GroupBy, Selection } from './store.ts';

export function createAnalyticsService(deps: { db: Db; merchants: Pick<MerchantService, 'get'> }) {
  const { db, merchants } = deps;

  /** The figures per group of the messages selected (the bank-day table sized to their days). */
  async function figures(q: Queryable, merchantId: string, timeZone: string, selection: store.Selection, groupBy: store.GroupBy): Promise<store.GroupFigures[]> {
    const days = await store.messageDays(q, merchantId, timeZone, selection);
    if (!days) return [];
    const deadlines = bankDayDeadlines(days.first, days.last);
    return store.reminderFigures(q, { merchantId, timeZone, selection, groupBy, deadlines });
  }

  return {
    figures,

    /** GET /v1/analytics/reminders: the messages whose business time is in [from, to) in the merchant's time zone. */
    async reminders<G extends store.GroupBy>(tenant: Caller, query: { from: string; to: string; groupBy: G }) {
      const from = parseCalendarDate(query.from);
      const to = parseCalendarDate(query.to);
      const bad = [
        ...(from ? [] : [{ field: 'from', message: 'is not a date (YYYY-MM-DD)' }]),
        ...(to ? [] : [{ field: 'to', message: 'is not a date (YYYY-MM-DD)' }]),
      ];
      const span = from && to ? spanProblem(from, to) : null;
      if (span) bad.push(span);
      if (bad.length > 0) throw invalid(bad.map((b) => ({ ...b, location: 'query' as const })));
      const q = queryableFor(db, tenant);
      const merchant = await merchants.get(tenant);
      const timeZone = merchant.timeZone;
      const selection: store.Selection = { kind: 'window', from: startOfDayInstant(from!, timeZone), to: startOfDayInstant(to!, timeZone) };
      const deadlines = bankDayDeadlines(from!, addDays(to!, -1) as CalendarDate);
      const groups = await store.reminderFigures(q, { merchantId: tenant.merchantId, timeZone, selection, groupBy: query.groupBy, deadlines });
      return { from: from!, to: to!, groupBy: query.groupBy, timeZone, groups };
    },
  };
}
export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
