// Calendar dates without a time of day or a time zone: due dates, billing anchors, bank days.
// An invoice due "2026-04-07" is due on that date in Sweden whatever the server clock's zone,
// so dates are kept apart from instants (Date) and only converted at the edges, with the
// merchant's IANA time zone named explicitly.
//
// Arithmetic is done on day numbers (days since 1970-01-01, proleptic Gregorian) rather than
// on Date, so it never depends on the process time zone and has no two-digit-year quirks.

declare const calendarDateBrand: unique symbol;

/**
 * 'YYYY-MM-DD', years 0001–9999, always a real date. Branded so that an unchecked string can't
 * be passed where a date is expected; get one from parseCalendarDate, calendarDate or the
 * helpers below. Plain string comparison orders dates correctly.
 */
export type CalendarDate = string & { readonly [calendarDateBrand]: true };

export interface CalendarDateParts {
  year: number;
  month: number; // 1–12
  day: number; // 1–31
}

const MIN_YEAR = 1;
const MAX_YEAR = 9999;
const MS_PER_DAY = 86_400_000;

/** The date for `s` if it is exactly 'YYYY-MM-DD' and a real date, else null. */
export function parseCalendarDate(s: string): CalendarDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < MIN_YEAR || !isRealDate(year, month, day)) return null;
  return s as CalendarDate;
}

/** Like parseCalendarDate, but throws RangeError: for trusted input such as literals. */
export function calendarDate(s: string): CalendarDate {
  const d = parseCalendarDate(s);
  if (d === null) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(s)}`);
  return d;
}

/** The date with these parts; throws RangeError if there is no such date. */
export function fromParts(year: number, month: number, day: number): CalendarDate {
  if (
    !Number.isInteger(year) ||
    !Number.isInteger(month) ||
    !Number.isInteger(day) ||
    year < MIN_YEAR ||
    year > MAX_YEAR ||
    !isRealDate(year, month, day)
  ) {
    throw new RangeError(`no such calendar date: ${year}-${month}-${day}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` as CalendarDate;
}

export function toParts(d: CalendarDate): CalendarDateParts {
  // The brand guarantees the shape, so fixed offsets are safe.
  return { year: Number(d.slice(0, 4)), month: Number(d.slice(5, 7)), day: Number(d.slice(8, 10)) };
}

export function addDays(d: CalendarDate, n: number): CalendarDate {
  if (!Number.isInteger(n)) throw new RangeError(`addDays: n must be an integer, got ${n}`);
  return fromDayNumber(toDayNumber(d) + n);
}

/**
 * `n` months later (earlier if negative), clamping the day to the end of a shorter month:
 * Jan 31 + 1 → Feb 28 (29 in leap years), Mar 31 + 1 → Apr 30. Clamping loses the anchor day,
 * so billing periods must be computed as anchor + k months, never by chaining from the previous
 * period (Jan 31 → Feb 28 → Mar 28 would drift).
 */
export function addMonthsClamped(d: CalendarDate, n: number): CalendarDate {
  if (!Number.isInteger(n)) throw new RangeError(`addMonthsClamped: n must be an integer, got ${n}`);
  const { year, month, day } = toParts(d);
  const monthIndex = year * 12 + (month - 1) + n;
  const newYear = Math.floor(monthIndex / 12);
  const newMonth = monthIndex - newYear * 12 + 1;
  return fromParts(newYear, newMonth, Math.min(day, daysInMonth(newYear, newMonth)));
}

/** 0 = Sunday … 6 = Saturday, as Date#getUTCDay. */
export function dayOfWeek(d: CalendarDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((toDayNumber(d) + 4) % 7) + 7) % 7;
}

/** Negative, zero or positive as a is before, equal to or after b; usable with Array#sort. */
export function compare(a: CalendarDate, b: CalendarDate): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Days from a to b: positive when b is later, so addDays(a, daysBetween(a, b)) === b. */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

/**
 * The calendar date that `instant` falls on in `timeZone` (an IANA name such as
 * 'Europe/Stockholm'): 2026-03-28T23:30:00Z is 2026-03-29 in Stockholm.
 */
export function toCalendarDate(instant: Date, timeZone: string): CalendarDate {
  const w = wallClock(instant.getTime(), timeZone);
  return fromParts(w.year, w.month, w.day);
}

/**
 * The first instant of date `d` in `timeZone`. Usually local midnight, but days are 23 or 25
 * hours long when the clocks change, so this is not "UTC midnight minus today's offset" read
 * off any fixed hour. Where a zone skips midnight, the day begins at the transition; where a
 * zone skipped the whole date (Pacific/Apia, 2011-12-30), this is when the next date began.
 */
export function startOfDayInstant(d: CalendarDate, timeZone: string): Date {
  // The wall-clock midnight of d, as if it were UTC.
  const wallMidnight = toDayNumber(d) * MS_PER_DAY;
  const previous = addDays(d, -1);
  const beginsAt = (t: number): boolean =>
    wallClockDate(t, timeZone) === d && wallClockDate(t - 1, timeZone) === previous;

  // The offset in force just before and just after the day covers every ordinary case,
  // including a change at midnight; try the earlier candidate first.
  const candidates = [
    wallMidnight - offsetMs(wallMidnight - MS_PER_DAY, timeZone),
    wallMidnight - offsetMs(wallMidnight + MS_PER_DAY, timeZone),
  ].sort((x, y) => x - y);
  for (const t of candidates) if (beginsAt(t)) return new Date(t);

  // Anything stranger: the earliest instant whose local date is d or later. Offsets stay
  // within ±1 day of UTC, so the answer lies in this window.
  let lo = wallMidnight - 2 * MS_PER_DAY; // local date before d
  let hi = wallMidnight + 2 * MS_PER_DAY; // local date after d
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClockDate(mid, timeZone) >= d) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** A local wall-clock reading: the date and the milliseconds since that date's local midnight. */
export interface LocalTime {
  date: CalendarDate;
  msOfDay: number; // 0 ≤ msOfDay < 86_400_000, as the clock on the wall shows it
}

/**
 * What a clock in `timeZone` shows at `instant`. Wall time, not time elapsed since the day
 * began: at 08:00 on the 23-hour spring-forward day msOfDay is 8 h, though only 7 h have passed.
 */
export function toLocalTime(instant: Date, timeZone: string): LocalTime {
  const ms = instant.getTime();
  const w = wallClock(ms, timeZone);
  const subSecond = ((ms % 1000) + 1000) % 1000; // zone offsets are whole seconds
  return { date: fromParts(w.year, w.month, w.day), msOfDay: ((w.hour * 60 + w.minute) * 60 + w.second) * 1000 + subSecond };
}

/**
 * The first instant at which a clock in `timeZone` shows `msOfDay` or later on date `d`. Usually
 * the one instant showing exactly that; in the hour repeated when clocks go back, its first
 * occurrence; in the hour skipped when they go forward, the moment the clocks jump (02:30 on
 * the Stockholm spring-forward day is 03:00 CEST): "not before 02:30" is then 03:00, which is
 * what quiet hours and cut-offs mean. Where no instant of `d` reaches that time, the start of the
 * next date.
 */
export function instantAtLocalTime(d: CalendarDate, msOfDay: number, timeZone: string): Date {
  if (!Number.isInteger(msOfDay) || msOfDay < 0 || msOfDay >= MS_PER_DAY) {
    throw new RangeError(`msOfDay must be an integer 0–${MS_PER_DAY - 1}, got ${msOfDay}`);
  }
  const wall = toDayNumber(d) * MS_PER_DAY + msOfDay;
  // As in startOfDayInstant: the offsets a day before and after cover every ordinary case.
  const candidates = [wall - offsetMs(wall - MS_PER_DAY, timeZone), wall - offsetMs(wall + MS_PER_DAY, timeZone)].sort(
    (x, y) => x - y,
  );
  const reached = (t: number): boolean => {
    const w = toLocalTime(new Date(t), timeZone);
    return w.date > d || (w.date === d && w.msOfDay >= msOfDay);
  };
  for (const t of candidates) {
    const w = toLocalTime(new Date(t), timeZone);
    if (w.date === d && w.msOfDay === msOfDay) return new Date(t);
  }
  // Skipped: the first instant at or past the wall time. Between the two candidates the clock
  // only jumps forward; anything stranger is searched within ±2 days like startOfDayInstant.
  let [lo, hi] = candidates as [number, number];
  if (reached(lo) || !reached(hi)) [lo, hi] = [wall - 2 * MS_PER_DAY, wall + 2 * MS_PER_DAY];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

// --- internals ---

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

// Days since 1970-01-01. Howard Hinnant's days_from_civil: years start on 1 March so the leap
// day falls at the end, and 400-year eras repeat exactly.
function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function toDayNumber(d: CalendarDate): number {
  const { year, month, day } = toParts(d);
  return dayNumber(year, month, day);
}

// The inverse of dayNumber (Hinnant's civil_from_days).
function fromDayNumber(z: number): CalendarDate {
  const shifted = z + 719_468;
  const era = Math.floor(shifted / 146_097);
  const doe = shifted - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return fromParts(yoe + era * 400 + (month <= 2 ? 1 : 0), month, day);
}

// Building a DateTimeFormat is far slower than using one, and bank-day loops call this a lot.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for an unknown zone, which is what we want.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock extends CalendarDateParts {
  hour: number;
  minute: number;
  second: number;
}

// Local date and time of the instant `ms` in `timeZone`, to the second, as the formatter says.
function formattedWallClock(ms: number, timeZone: string): WallClock {
  if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bce = false;
  for (const p of formatterFor(timeZone).formatToParts(ms)) {
    if (p.type === 'era') bce = p.value.startsWith('B');
    else if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'minute' || p.type === 'second') {
      w[p.type] = Number(p.value);
    } else if (p.type === 'hour') {
      w.hour = Number(p.value) % 24; // some ICU versions print midnight as 24 even with h23
    }
  }
  if (bce || w.year < MIN_YEAR || w.year > MAX_YEAR) {
    throw new RangeError(`instant is outside years ${MIN_YEAR}–${MAX_YEAR} in ${timeZone}`);
  }
  return w;
}

function formattedOffsetMs(ms: number, timeZone: string): number {
  const w = formattedWallClock(ms, timeZone);
  const wallMs = dayNumber(w.year, w.month, w.day) * MS_PER_DAY + ((w.hour * 60 + w.minute) * 60 + w.second) * 1000;
  return wallMs - Math.floor(ms / 1000) * 1000;
}

// formatToParts costs tens of microseconds and schedules call it thousands of times per invoice
// batch, so offsets are cached per quarter hour: a bucket whose first and last second have the
// same offset has it throughout (zones change offset at most once in such a span); a bucket with
// a transition inside is marked NaN and always asks the formatter.
const OFFSET_BUCKET_MS = 15 * 60_000;
const offsets = new Map<string, Map<number, number>>();

function cachedOffsetMs(ms: number, timeZone: string): number | null {
  let zone = offsets.get(timeZone);
  if (zone === undefined) offsets.set(timeZone, (zone = new Map()));
  const bucket = Math.floor(ms / OFFSET_BUCKET_MS);
  let off = zone.get(bucket);
  if (off === undefined) {
    const start = bucket * OFFSET_BUCKET_MS;
    const a = formattedOffsetMs(start, timeZone);
    off = a === formattedOffsetMs(start + OFFSET_BUCKET_MS - 1000, timeZone) ? a : Number.NaN;
    if (zone.size >= 200_000) zone.clear();
    zone.set(bucket, off);
  }
  return Number.isNaN(off) ? null : off;
}

// Local date and time of the instant `ms` in `timeZone`, to the second.
function wallClock(ms: number, timeZone: string): WallClock {
  if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
  const off = cachedOffsetMs(ms, timeZone);
  if (off === null) return formattedWallClock(ms, timeZone);
  const local = Math.floor(ms / 1000) * 1000 + off;
  const days = Math.floor(local / MS_PER_DAY);
  const { year, month, day } = toParts(fromDayNumber(days));
  if (year < MIN_YEAR || year > MAX_YEAR) throw new RangeError(`instant is outside years ${MIN_YEAR}–${MAX_YEAR} in ${timeZone}`);
  const secs = (local - days * MS_PER_DAY) / 1000;
  return { year, month, day, hour: Math.floor(secs / 3600), minute: Math.floor((secs % 3600) / 60), second: secs % 60 };
}

function wallClockDate(ms: number, timeZone: string): CalendarDate {
  const w = wallClock(ms, timeZone);
  return fromParts(w.year, w.month, w.day);
}

// Local time minus UTC at instant `ms`, in ms (e.g. 3_600_000 for CET). Sub-second parts of
// `ms` are dropped because the formatter only shows whole seconds.
function offsetMs(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const wallMs = dayNumber(w.year, w.month, w.day) * MS_PER_DAY + ((w.hour * 60 + w.minute) * 60 + w.second) * 1000;
  return wallMs - Math.floor(ms / 1000) * 1000;
}
