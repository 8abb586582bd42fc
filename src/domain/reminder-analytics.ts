// What the reminder figures mean (GET /v1/analytics/reminders, experiment results): the windows,
// the bank-day deadline of each message day, rates in basis points and the span a request may ask.
// The figures themselves are counted in SQL (src/modules/analytics/store.ts) over these rules.
import { addBankDays } from './bank-days.ts';
import { addDays, addMonthsClamped, compare, daysBetween, type CalendarDate } from './calendar-date.ts';

/** Paid within this many Swedish bank days after the message's day (the message day itself never counts). */
export const PAID_WITHIN_BANK_DAYS = 2;
/** Paid within this many calendar days after the message's day. */
export const PAID_WITHIN_DAYS = 7;
/** Churned: every subscription the customer had at the message ended within this many days (of 24 hours) after it. */
export const CHURN_WINDOW_DAYS = 90;
/** The longest span one request may cover, in months. */
export const MAX_SPAN_MONTHS = 24;

/** Each day from `from` to `last` (inclusive) with the last day a payment may carry and still count as paid within 2 bank days. */
export function bankDayDeadlines(from: CalendarDate, last: CalendarDate): { day: CalendarDate; deadline: CalendarDate }[] {
  const out: { day: CalendarDate; deadline: CalendarDate }[] = [];
  for (let d = from; compare(d, last) <= 0; d = addDays(d, 1)) out.push({ day: d, deadline: addBankDays(d, PAID_WITHIN_BANK_DAYS) });
  return out;
}

/** `count` of `of` in basis points (10 000 = 100 %), rounded half up; null when there is nothing to divide by. */
export function rateBp(count: number, of: number): number | null {
  if (of <= 0) return null;
  return Math.floor((count * 20_000 + of) / (2 * of));
}

/** What is wrong with a requested span, or null: `to` must come after `from`, at most MAX_SPAN_MONTHS later. */
export function spanProblem(from: CalendarDate, to: CalendarDate): { field: 'from' | 'to'; message: string } | null {
  if (compare(from, to) >= 0) return { field: 'to', message: `must be after from (${from}); the span is [from, to)` };
  if (compare(to, addMonthsClamped(from, MAX_SPAN_MONTHS)) > 0) return { field: 'to', message: `must be at most ${MAX_SPAN_MONTHS} months after from (${daysBetween(from, to)} days asked)` };
  return null;
}
