// What the churn figures mean (GET /v1/analytics/churn, cohorts, former customers): the periods a
// request is cut into, how a price becomes MRR, and when a churn is involuntary. The figures are
// counted in SQL (src/modules/analytics/churn-store.ts) over these rules.
import { addDays, addMonthsClamped, compare, dayOfWeek, fromParts, toParts, type CalendarDate } from './calendar-date.ts';

export const CHURN_INTERVALS = ['month', 'week'] as const;
export type ChurnInterval = (typeof CHURN_INTERVALS)[number];

/** The most periods one request may ask for. */
export const MAX_PERIODS = 120;
/** A churn is involuntary when a failed collection, a defaulted payment plan or an escalation falls in this many days (of 24 hours) before the end. */
export const INVOLUNTARY_WINDOW_DAYS = 90;

/** Months one billing interval of a recurring price covers. */
export const INTERVAL_MONTHS = { month: 1, quarter: 3, year: 12 } as const;

/**
 * A price line's MRR in minor units: its amount without VAT (an inclusive price has its VAT taken
 * out, rounded half up), spread over the months its interval covers (rounded half up). One-time
 * prices are no MRR.
 */
export function monthlyAmount(p: {
  unitAmount: number;
  quantity: number;
  taxBehavior: 'exclusive' | 'inclusive';
  vatRate: number;
  type: 'recurring' | 'one_time';
  interval: keyof typeof INTERVAL_MONTHS | null;
  intervalCount: number | null;
}): number {
  if (p.type !== 'recurring' || !p.interval) return 0;
  const gross = p.unitAmount * p.quantity;
  const net = p.taxBehavior === 'inclusive' ? divRound(gross * 100, 100 + p.vatRate) : gross;
  return divRound(net, INTERVAL_MONTHS[p.interval] * (p.intervalCount ?? 1));
}

/** a / b rounded half away from zero (as PostgreSQL's round(numeric)). */
function divRound(a: number, b: number): number {
  const q = Math.round(Math.abs(a) / b);
  return a < 0 ? -q : q;
}

export type Period = { start: CalendarDate; end: CalendarDate };

/** The first day of the calendar month or ISO week (Monday) holding `d`. */
export function bucketStart(d: CalendarDate, interval: ChurnInterval): CalendarDate {
  if (interval === 'month') return fromParts(toParts(d).year, toParts(d).month, 1);
  return addDays(d, -((dayOfWeek(d) + 6) % 7));
}

function nextBucket(d: CalendarDate, interval: ChurnInterval): CalendarDate {
  return interval === 'month' ? addMonthsClamped(d, 1) : addDays(d, 7);
}

/** [from, to) cut on calendar months or ISO weeks; the first and last periods are clipped to from and to. */
export function periodsOf(from: CalendarDate, to: CalendarDate, interval: ChurnInterval): Period[] {
  const out: Period[] = [];
  for (let b = bucketStart(from, interval); compare(b, to) < 0 && out.length <= MAX_PERIODS; b = nextBucket(b, interval)) {
    const end = nextBucket(b, interval);
    out.push({ start: compare(b, from) < 0 ? from : b, end: compare(end, to) > 0 ? to : end });
  }
  return out;
}
