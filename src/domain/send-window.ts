// When a dunning message may go out: never in the merchant's quiet hours, never on a Sunday or a
// Swedish public holiday, all in the merchant's local time (an IANA zone such as
// 'Europe/Stockholm'), so that clock changes move nothing.
//
// We also skip midsommarafton, julafton and nyårsafton. They are not public holidays in law, but
// nobody wants a payment reminder then, and they are not bank days either, so a payment made the
// day before could not have been booked yet. Saturdays are ordinary send days, except the
// Saturdays that are public holidays (midsommardagen, alla helgons dag).

import { addBankDays, swedishHolidays } from './bank-days.ts';
import {
  addDays,
  dayOfWeek,
  instantAtLocalTime,
  startOfDayInstant,
  toLocalTime,
  toParts,
  type CalendarDate,
} from './calendar-date.ts';
import type { DunningStep } from './dunning-policy.ts';

export interface QuietHours {
  start: string; // 'HH:MM', local time
  end: string;
}

const MS_PER_MINUTE = 60_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
// The longest run of days without a send day is four (julafton on a Thursday to the Sunday
// after), so two weeks is a generous bound for the search in nextSendable.
const SEARCH_DAYS = 14;

/** Minutes after midnight for a 24-hour 'HH:MM' ('00:00'–'23:59'), else null. */
export function parseTimeOfDay(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = HHMM.exec(s);
  return m === null ? null : Number(m[1]) * 60 + Number(m[2]);
}

/** Whether messages may go out at all on this local date (see the file comment). */
export function isSendDay(day: CalendarDate): boolean {
  return dayOfWeek(day) !== 0 && !noSendDays(toParts(day).year).has(day);
}

/**
 * Whether a message may go out at instant `t`: a send day in `tz`, outside the quiet hours.
 * Quiet hours run from start (inclusive) to end (exclusive) in local wall time; when start is
 * later than end they wrap midnight (21:00–08:00 keeps 21:00 to 07:59:59.999 quiet), otherwise
 * they are a span within the day. Equal start and end mean no quiet hours (validatePolicy
 * refuses that, so it never reaches here from a stored policy).
 */
export function isSendable(t: Date, tz: string, quiet: QuietHours): boolean {
  const { date, msOfDay } = toLocalTime(t, tz);
  if (!isSendDay(date)) return false;
  const [start, end] = quietMs(quiet);
  if (start === end) return true;
  const inQuiet = start < end ? msOfDay >= start && msOfDay < end : msOfDay >= start || msOfDay < end;
  return !inQuiet;
}

/**
 * `t` itself when sendable, otherwise the first sendable instant after it: the end of the quiet
 * hours, today or on the next send day, or the start of the next send day when quiet hours do
 * not cover midnight. Used both to schedule a step and to push back a message that came due in
 * quiet hours. At most about four and a half days later (over Christmas).
 */
export function nextSendable(t: Date, tz: string, quiet: QuietHours): Date {
  if (isSendable(t, tz, quiet)) return t;
  const [, end] = quietMs(quiet);
  const { date: today, msOfDay: now } = toLocalTime(t, tz);
  // Sendability only switches on where the clock reaches the quiet end or a new date begins.
  // In the hour repeated when clocks go back, the quiet end can also come round a second time:
  // `t` moved on by the wall time still to go covers that.
  const candidates: number[] = [];
  if (now < end) candidates.push(t.getTime() + (end - now));
  for (let i = 0; i <= SEARCH_DAYS; i++) {
    const day = addDays(today, i);
    if (!isSendDay(day)) continue;
    candidates.push(startOfDayInstant(day, tz).getTime(), instantAtLocalTime(day, end, tz).getTime());
  }
  let best: number | null = null;
  for (const c of candidates) {
    if (c > t.getTime() && (best === null || c < best) && isSendable(new Date(c), tz, quiet)) best = c;
  }
  if (best === null) throw new Error(`no sendable instant within ${SEARCH_DAYS} days of ${t.toISOString()} in ${tz}`);
  return new Date(best);
}

/**
 * The date a step is due: the invoice due date plus the step's offset, in calendar days or in
 * bank days (addBankDays, counting backwards for a negative offset, so a pre-due reminder three
 * bank days ahead skips the weekend in between).
 */
export function stepDay(dueDate: CalendarDate, step: Pick<DunningStep, 'offset' | 'offset_unit'>): CalendarDate {
  return step.offset_unit === 'bank_days' ? addBankDays(dueDate, step.offset) : addDays(dueDate, step.offset);
}

/**
 * When a step would go out if nothing held it back (payments, minimum gaps): the first sendable
 * instant of its day, normally the quiet end (08:00) there; on a Sunday or holiday the first
 * sendable instant after it.
 */
export function stepNominalTime(
  dueDate: CalendarDate,
  step: Pick<DunningStep, 'offset' | 'offset_unit'>,
  tz: string,
  quiet: QuietHours,
): Date {
  return nextSendable(startOfDayInstant(stepDay(dueDate, step), tz), tz, quiet);
}

/**
 * The instant a local wall time 'HH:MM' is reached on `day` in `tz`, e.g. the payment-file
 * cut-off. In the skipped hour of spring-forward it is the moment the clocks jump; in the
 * repeated hour of fall-back, the first time round (see instantAtLocalTime).
 */
export function localTimeOnDay(day: CalendarDate, hhmm: string, tz: string): Date {
  return instantAtLocalTime(day, timeOfDayMs(hhmm), tz);
}

// --- internals ---

function timeOfDayMs(hhmm: string): number {
  const minutes = parseTimeOfDay(hhmm);
  if (minutes === null) throw new RangeError(`not a 24-hour time 'HH:MM': ${JSON.stringify(hhmm)}`);
  return minutes * MS_PER_MINUTE;
}

function quietMs(quiet: QuietHours): [start: number, end: number] {
  return [timeOfDayMs(quiet.start), timeOfDayMs(quiet.end)];
}

// Per year, the holidays and eves (swedishHolidays lists exactly the public holidays plus the
// three eves); bounded by the number of years asked about.
const noSendCache = new Map<number, ReadonlySet<CalendarDate>>();

function noSendDays(year: number): ReadonlySet<CalendarDate> {
  let days = noSendCache.get(year);
  if (days === undefined) {
    days = new Set(swedishHolidays(year).map((h) => h.date));
    noSendCache.set(year, days);
  }
  return days;
}
