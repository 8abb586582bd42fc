// Swedish public holidays and bank days, computed for any year rather than read from a table
// that someone has to remember to extend. Rules: lag (1989:253) om allmänna helgdagar; see
// shared/reference/sweden.md section 8.
//
// A bank day is Monday–Friday that is neither a public holiday nor midsommarafton, julafton
// or nyårsafton: those three eves are not holidays in law, but banks and Bankgirot are closed,
// so no payment settles on them.

import { addDays, dayOfWeek, fromParts, toParts, type CalendarDate } from './calendar-date.ts';

export interface SwedishHoliday {
  date: CalendarDate;
  name: string; // the Swedish name, as printed on calendars
  // false for the eves: not a holiday in law, but not a bank day either.
  publicHoliday: boolean;
}

// The Gregorian computus below is only meaningful from the calendar reform (Sweden itself
// switched in 1753); before that it would be a proleptic fiction.
const FIRST_GREGORIAN_YEAR = 1583;
const LAST_YEAR = 9999;

// Nationaldagen replaced annandag pingst as a public holiday from 2005.
const NATIONAL_DAY_FIRST_YEAR = 2005;

/**
 * Easter Sunday of `year` by the anonymous Gregorian algorithm (Meeus/Jones/Butcher), valid
 * for every Gregorian year.
 */
export function easterSunday(year: number): CalendarDate {
  checkYear(year);
  const a = year % 19; // place in the 19-year Metonic cycle
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30; // days from 21 March to the paschal full moon, roughly
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7; // days from the full moon to the next Sunday
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return fromParts(year, Math.floor(n / 31), (n % 31) + 1);
}

/**
 * The named Swedish public holidays of `year` plus the three eves that are not bank days, in
 * date order. Plain Sundays are holidays too but are not listed. Years before 2005 get annandag
 * pingst instead of nationaldagen; the older rules (fixed midsommardagen and alla helgons dag
 * before 1953, and so on) are not modelled.
 */
export function swedishHolidays(year: number): SwedishHoliday[] {
  // A copy, so a caller mutating the result can't corrupt the cache.
  return yearInfo(year).holidays.map((h) => ({ ...h }));
}

/** Monday–Friday and not a public holiday or a non-bank eve. */
export function isBankDay(d: CalendarDate): boolean {
  const dow = dayOfWeek(d);
  if (dow === 0 || dow === 6) return false;
  return !yearInfo(toParts(d).year).nonBankDays.has(d);
}

/** `d` itself if it is a bank day, otherwise the first bank day after it. */
export function nextBankDay(d: CalendarDate): CalendarDate {
  let day = d;
  // Ends within 4 steps (julafton on a Thursday → the Monday after).
  while (!isBankDay(day)) day = addDays(day, 1);
  return day;
}

/**
 * The `n`th bank day after `d` (before it when negative); `d` itself never counts, whether or
 * not it is a bank day, so addBankDays(fri, 1) is the next Monday if that is a bank day.
 * n = 0 returns `d` unchanged; use nextBankDay to land on a bank day.
 */
export function addBankDays(d: CalendarDate, n: number): CalendarDate {
  if (!Number.isInteger(n)) throw new RangeError(`addBankDays: n must be an integer, got ${n}`);
  const step = n < 0 ? -1 : 1;
  let day = d;
  for (let left = Math.abs(n); left > 0; ) {
    day = addDays(day, step);
    if (isBankDay(day)) left--;
  }
  return day;
}

// --- internals ---

interface YearInfo {
  holidays: readonly SwedishHoliday[];
  // Holidays and eves, whatever weekday they fall on.
  nonBankDays: ReadonlySet<CalendarDate>;
}

// Per year: the computation is cheap but isBankDay runs in loops over many invoices. At most
// one entry per Gregorian year, so the cache stays bounded.
const cache = new Map<number, YearInfo>();

function yearInfo(year: number): YearInfo {
  let info = cache.get(year);
  if (info === undefined) {
    const holidays = computeHolidays(year);
    info = { holidays, nonBankDays: new Set(holidays.map((h) => h.date)) };
    cache.set(year, info);
  }
  return info;
}

function computeHolidays(year: number): SwedishHoliday[] {
  checkYear(year);
  const easter = easterSunday(year);
  const date = (month: number, day: number) => fromParts(year, month, day);
  // The first date from (month, day) on that falls on weekday `dow` (0 = Sunday).
  const firstOnOrAfter = (month: number, day: number, dow: number) => {
    const start = date(month, day);
    return addDays(start, (dow - dayOfWeek(start) + 7) % 7);
  };
  const holiday = (d: CalendarDate, name: string): SwedishHoliday => ({ date: d, name, publicHoliday: true });
  const eve = (d: CalendarDate, name: string): SwedishHoliday => ({ date: d, name, publicHoliday: false });

  const list = [
    holiday(date(1, 1), 'Nyårsdagen'),
    holiday(date(1, 6), 'Trettondedag jul'),
    holiday(addDays(easter, -2), 'Långfredagen'),
    holiday(easter, 'Påskdagen'),
    holiday(addDays(easter, 1), 'Annandag påsk'),
    holiday(date(5, 1), 'Första maj'),
    holiday(addDays(easter, 39), 'Kristi himmelsfärdsdag'),
    holiday(addDays(easter, 49), 'Pingstdagen'),
    year >= NATIONAL_DAY_FIRST_YEAR
      ? holiday(date(6, 6), 'Nationaldagen')
      : holiday(addDays(easter, 50), 'Annandag pingst'),
    eve(firstOnOrAfter(6, 19, 5), 'Midsommarafton'), // Friday 19–25 June
    holiday(firstOnOrAfter(6, 20, 6), 'Midsommardagen'), // Saturday 20–26 June
    holiday(firstOnOrAfter(10, 31, 6), 'Alla helgons dag'), // Saturday 31 Oct–6 Nov
    eve(date(12, 24), 'Julafton'),
    holiday(date(12, 25), 'Juldagen'),
    holiday(date(12, 26), 'Annandag jul'),
    eve(date(12, 31), 'Nyårsafton'),
  ];
  // Pingstdagen can fall after 6 June (Easter after 18 April), so sort rather than trust the order.
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_GREGORIAN_YEAR || year > LAST_YEAR) {
    throw new RangeError(`year must be an integer ${FIRST_GREGORIAN_YEAR}–${LAST_YEAR}, got ${year}`);
  }
}
