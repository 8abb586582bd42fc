// Subscription periods: calendar dates in the merchant's time zone, [start, end). Pure functions.
//
// A period starts on the anchor day of its month, or on the month's last day when the month is
// shorter (anchor 31: Jan 31, Feb 28, Mar 31, Apr 30 …). Each end is computed from the anchor,
// never by chaining clamped dates, so the 31st never drifts to the 28th.
import { daysBetween, daysInMonth, fromParts, toParts, type CalendarDate } from './calendar-date.ts';

/** The period after the one starting on `start`: `months` later, on the anchor day (clamped). */
export function periodEnd(start: CalendarDate, anchorDay: number, months: number): CalendarDate {
  if (!Number.isInteger(anchorDay) || anchorDay < 1 || anchorDay > 31) throw new RangeError('periodEnd: anchorDay must be 1–31');
  if (!Number.isInteger(months) || months < 1) throw new RangeError('periodEnd: months must be a positive integer');
  const { year, month } = toParts(start);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return fromParts(y, m, Math.min(anchorDay, daysInMonth(y, m)));
}

/**
 * The share of a period still to come from `from` (inclusive) to the period's end, as days
 * left over days in the period: what proration credits or charges.
 */
export function remainingShare(periodStart: CalendarDate, periodEndExclusive: CalendarDate, from: CalendarDate): { days: number; of: number } {
  const of = daysBetween(periodStart, periodEndExclusive);
  const days = Math.min(of, Math.max(0, daysBetween(from, periodEndExclusive)));
  return { days, of };
}
