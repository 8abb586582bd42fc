// Late-payment interest (dröjsmålsränta) under räntelagen (1975:635): the Riksbank reference rate
// in force each day (9 §: set per calendar half-year, so it changes only on 1 January and
// 1 July) plus the policy's margin (6 §: 8 percentage points unless agreed otherwise).
//
// Day count: actual/365, each overdue day earns 1/365 of the yearly rate, also in leap years.
// That is the common Swedish practice; the act itself does not say ❓ (shared/reference/sweden.md §6).
//
// Rounding: every period's exact amount is kept as a fraction; the total is their exact sum
// rounded once, half up, to whole öre. Per-period amounts are rounded separately for display and
// need not add up to the total.

import {
  addDays,
  addMonthsClamped,
  compare,
  daysBetween,
  parseCalendarDate,
  toParts,
  type CalendarDate,
} from './calendar-date.ts';

export interface ReferenceRate {
  from: CalendarDate; // 1 January or 1 July; in force for that half-year
  rate_bp: number; // basis points: 200 = 2.00 %; negative rates have occurred (−0.50 % in 2016–2019)
}

export interface InterestPeriod {
  // First and last interest day, both inclusive.
  from: CalendarDate;
  to: CalendarDate;
  days: number;
  rate_bp: number; // the yearly interest rate applied: reference rate + margin
  principal: number; // öre
  amount: number; // öre, this period's exact amount rounded half up (display only)
}

export interface LateInterest {
  amount: number; // öre
  periods: InterestPeriod[];
  // The rate (reference + margin) in force on asOf, for the reminder text; null when the table
  // has no reference rate for that day (possible only when nothing has accrued yet).
  rate_bp_now: number | null;
}

export interface LateInterestInput {
  // Unpaid öre from each date on, at the end of that day (after its payments), sorted by date;
  // the first entry at or before dueDate, usually at it.
  balances: readonly { from: CalendarDate; amount: number }[];
  dueDate: CalendarDate;
  asOf: CalendarDate;
  rates: readonly ReferenceRate[];
  marginBp: number;
}

/** Thrown when interest is due for a day that the reference-rate table does not cover. */
export class MissingReferenceRateError extends Error {
  readonly day: CalendarDate;
  constructor(day: CalendarDate, message: string) {
    super(message);
    this.name = 'MissingReferenceRateError';
    this.day = day;
  }
}

const BP_PER_UNIT = 10_000n;
const DAYS_PER_YEAR = 365n;
// Sanity bound for a table entry: ±100 % a year.
const MAX_ABS_RATE_BP = 10_000;
// 9 §: the reference rate is rounded up to a whole half percentage point.
const RATE_STEP_BP = 50;

/**
 * Checks a reference-rate table read from JSON: either a list of { from, rate_bp } or an object
 * { source, rates: [...] } (the shape of config/reference-rates.json, which records where the
 * figures came from). Every `from` is 1 January or 1 July, each entry the half-year right after
 * the one before it (a gap would silently stretch an old rate), rate_bp a multiple of 50. Throws
 * an Error naming the bad entry, so a broken table stops the process at start-up.
 */
export function parseReferenceRates(json: unknown): ReferenceRate[] {
  const list = isObject(json) && !Array.isArray(json) ? json.rates : json;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error('reference rates: expected a non-empty list of { from, rate_bp }, or { rates: [...] }');
  }
  const rates: ReferenceRate[] = [];
  list.forEach((entry: unknown, i) => {
    const where = `reference rates[${i}]`;
    if (!isObject(entry)) throw new Error(`${where}: expected { from, rate_bp }`);
    const from = typeof entry.from === 'string' ? parseCalendarDate(entry.from) : null;
    if (from === null || !/-(01|07)-01$/.test(from)) {
      throw new Error(`${where}.from: expected 'YYYY-01-01' or 'YYYY-07-01', got ${JSON.stringify(entry.from)}`);
    }
    const rate = entry.rate_bp;
    if (typeof rate !== 'number' || !Number.isInteger(rate) || Math.abs(rate) > MAX_ABS_RATE_BP || rate % RATE_STEP_BP !== 0) {
      throw new Error(`${where}.rate_bp: expected whole basis points in steps of ${RATE_STEP_BP} (200 = 2.00 %), got ${JSON.stringify(rate)}`);
    }
    const previous = rates[i - 1];
    if (previous !== undefined && from !== halfYearAfter(previous.from)) {
      throw new Error(
        `${where}.from: ${from} must be the half-year right after ${previous.from} (${halfYearAfter(previous.from)}); entries are sorted, without duplicates or gaps`,
      );
    }
    rates.push({ from, rate_bp: rate });
  });
  return rates;
}

/**
 * Dröjsmålsränta owed on `asOf`. Each day after the due date up to and including asOf is one
 * interest day (so a payment on the day after the due date owes one day), earning
 * (reference rate of that day + margin) / 365 on the amount unpaid when the day began: the
 * balance at the end of the previous day. A rate below zero counts as zero. Periods split where
 * the rate or the principal changes; periods with nothing unpaid are left out. Nothing accrues
 * when asOf ≤ dueDate. Throws MissingReferenceRateError when an interest day falls outside the
 * table: the operator must add the new half-year's rate, and guessing would put a wrong claim on
 * a reminder.
 */
export function lateInterest(input: LateInterestInput): LateInterest {
  const { balances, dueDate, asOf, rates, marginBp } = input;
  if (!Number.isInteger(marginBp)) throw new RangeError(`marginBp must be an integer, got ${marginBp}`);
  checkBalances(balances, dueDate);
  const yearlyRate = (reference: number) => Math.max(0, reference + marginBp);
  const nowEntry = rateEntryFor(rates, asOf);
  const rate_bp_now = nowEntry === null ? null : yearlyRate(nowEntry.rate_bp);

  const periods: (InterestPeriod & { exact: bigint })[] = [];
  for (let day = addDays(dueDate, 1); compare(day, asOf) <= 0; ) {
    // The principal of `day` is the balance at the end of the day before; the next balance
    // applies from the day after the one it is recorded on.
    const b = balanceIndex(balances, addDays(day, -1));
    const principal = balances[b]!.amount;
    const nextBalance = balances[b + 1];
    let last = nextBalance !== undefined && compare(nextBalance.from, asOf) < 0 ? nextBalance.from : asOf;
    if (principal === 0) {
      day = addDays(last, 1); // nothing unpaid: no rate needed either
      continue;
    }
    const rate = rateEntryFor(rates, day);
    if (rate === null) {
      throw new MissingReferenceRateError(
        day,
        `no reference rate for ${day} (the table covers ${coverage(rates)}): add the Riksbank reference rate for the half-year from ${halfYearStart(day)}`,
      );
    }
    const rateEnds = addDays(halfYearAfter(rate.from), -1);
    if (compare(rateEnds, last) < 0) last = rateEnds;

    const rate_bp = yearlyRate(rate.rate_bp);
    const days = daysBetween(day, last) + 1;
    const previous = periods.at(-1);
    if (previous !== undefined && previous.rate_bp === rate_bp && previous.principal === principal && addDays(previous.to, 1) === day) {
      previous.to = last;
      previous.days += days;
      previous.exact = exactNumerator(principal, rate_bp, previous.days);
    } else if (rate_bp > 0) {
      periods.push({ from: day, to: last, days, rate_bp, principal, amount: 0, exact: exactNumerator(principal, rate_bp, days) });
    }
    day = addDays(last, 1);
  }

  const total = periods.reduce((sum, p) => sum + p.exact, 0n);
  return {
    amount: roundOre(total),
    periods: periods.map(({ exact, ...p }) => ({ ...p, amount: roundOre(exact) })),
    rate_bp_now,
  };
}

// --- internals ---

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function halfYearAfter(from: CalendarDate): CalendarDate {
  return addMonthsClamped(from, 6);
}

function halfYearStart(day: CalendarDate): string {
  const { year, month } = toParts(day);
  return `${year}-${month <= 6 ? '01' : '07'}-01`;
}

function coverage(rates: readonly ReferenceRate[]): string {
  const first = rates[0];
  const last = rates.at(-1);
  return first === undefined || last === undefined ? 'nothing' : `${first.from} to ${addDays(halfYearAfter(last.from), -1)}`;
}

// The entry whose half-year contains `day`, or null.
function rateEntryFor(rates: readonly ReferenceRate[], day: CalendarDate): ReferenceRate | null {
  for (let i = rates.length - 1; i >= 0; i--) {
    const r = rates[i]!;
    if (compare(r.from, day) <= 0) return compare(day, halfYearAfter(r.from)) < 0 ? r : null;
  }
  return null;
}

// Index of the balance in force at the end of `day`: the last entry from on or before it.
function balanceIndex(balances: LateInterestInput['balances'], day: CalendarDate): number {
  let index = 0;
  for (let i = 0; i < balances.length && compare(balances[i]!.from, day) <= 0; i++) index = i;
  return index;
}

function checkBalances(balances: LateInterestInput['balances'], dueDate: CalendarDate): void {
  const first = balances[0];
  if (first === undefined || compare(first.from, dueDate) > 0) {
    throw new RangeError('balances: the first entry must be on or before the due date');
  }
  balances.forEach((b, i) => {
    if (!Number.isSafeInteger(b.amount) || b.amount < 0) {
      throw new RangeError(`balances[${i}].amount: must be whole öre, 0 or more, got ${b.amount}`);
    }
    if (i > 0 && compare(balances[i - 1]!.from, b.from) >= 0) {
      throw new RangeError(`balances[${i}].from: entries must be in date order without repeats`);
    }
  });
}

// Interest in units of 1 / (10 000 × 365) öre, exact: principal × rate_bp × days.
function exactNumerator(principal: number, rateBp: number, days: number): bigint {
  return BigInt(principal) * BigInt(rateBp) * BigInt(days);
}

// Half up to whole öre (the numerator is never negative).
function roundOre(numerator: bigint): number {
  const denominator = BP_PER_UNIT * DAYS_PER_YEAR;
  return Number((2n * numerator + denominator) / (2n * denominator));
}
