// Payment plans as pure functions: the split into instalments, their due dates, the fee cap, where
// the plan's money went when it ends, and when an unpaid instalment counts as missed.
import { addDays, addMonthsClamped, startOfDayInstant, type CalendarDate } from './calendar-date.ts';
import { nextBankDay } from './bank-days.ts';

// Lag (1981:739) 4 §: at most 170 kr for a payment plan (agreed in writing, sent to the debtor).
export const PAYMENT_PLAN_FEE_CAP = 17000;
export const MIN_INSTALMENTS = 2;
export const MAX_INSTALMENTS = 24;
// The first instalment falls due this many days after the plan is made unless the request says.
export const DEFAULT_FIRST_DUE_DAYS = 14;
// An unpaid instalment counts as missed this long after its last reminder went out ...
export const GRACE_DAYS = 7;
// ... and never sooner than this many days after its due date.
export const MISSED_NOT_BEFORE_DAYS = 10;

export type Interval = 'month' | 'week';

/**
 * `total` öre in `n` instalments that add up exactly: every instalment but the first is the same
 * whole number of kronor (units of 100 öre), and the first takes the rest, öre included, so the
 * customer pays the odd amount once and equal round amounts after. Null when an instalment would
 * be under 1 kr.
 */
export function splitInstalments(total: number, n: number): number[] | null {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`A plan total is a non-negative integer, not ${total}`);
  if (!Number.isInteger(n) || n < MIN_INSTALMENTS || n > MAX_INSTALMENTS) throw new RangeError(`A plan has ${MIN_INSTALMENTS}–${MAX_INSTALMENTS} instalments, not ${n}`);
  const each = Math.floor(total / n / 100) * 100;
  if (each < 100) return null;
  return [total - each * (n - 1), ...Array<number>(n - 1).fill(each)];
}

/**
 * The due dates: the first, then one interval apart counted from the first (so the 31st stays the
 * last day of shorter months instead of drifting), each moved to the next Swedish bank day.
 */
export function instalmentDates(first: CalendarDate, n: number, interval: Interval): CalendarDate[] {
  return Array.from({ length: n }, (_, k) => nextBankDay(interval === 'month' ? addMonthsClamped(first, k) : addDays(first, 7 * k)));
}

/** The first due date when none is asked for: two weeks from today, on a bank day. */
export function defaultFirstDueDate(today: CalendarDate): CalendarDate {
  return nextBankDay(addDays(today, DEFAULT_FIRST_DUE_DAYS));
}

/**
 * Where the money the plan received went when it ends early (defaulted or canceled): the invoices'
 * principal first, in plan order (earliest due first), then interest and fee. Each invoice gets
 * back what the plan did not pay of it, to be claimed by dunning again; what was unpaid of the
 * plan's interest and fee is dropped (dunning charges its own interest on the remainder again).
 */
export function settleEarlyEnd(taken: { id: string; amount: number }[], received: number): { paid: Map<string, number>; returned: Map<string, number> } {
  let left = received;
  const paid = new Map<string, number>();
  const returned = new Map<string, number>();
  for (const t of taken) {
    const p = Math.min(t.amount, Math.max(0, left));
    left -= p;
    paid.set(t.id, p);
    returned.set(t.id, t.amount - p);
  }
  return { paid, returned };
}

export type InstalmentFacts = {
  // Nothing left to pay (paid, or settled by credit).
  settled: boolean;
  // Still claimable as an open instalment (open or partially paid); false for one voided, written
  // off or handed to collection by hand: such an instalment counts as missed at once.
  claimable: boolean;
  dueDate: CalendarDate;
  timeZone: string;
  // The instalment's reminder process (null: none yet).
  reminders: { status: string; lastSentAt: Date | null; nextActionAt: Date | null } | null;
};

/**
 * When an unpaid instalment counts as missed: GRACE_DAYS after its last reminder went out (its
 * policy completed), never sooner than MISSED_NOT_BEFORE_DAYS after the due date. While its
 * reminders are still to come (or paused by a dispute) it is not missed: `recheck` says when to
 * look again. Null for a settled instalment.
 */
export function missedAt(f: InstalmentFacts, now: Date): { at: Date; final: boolean } | null {
  if (f.settled) return null;
  if (!f.claimable) return { at: now, final: true };
  const floor = startOfDayInstant(addDays(f.dueDate, MISSED_NOT_BEFORE_DAYS), f.timeZone);
  const r = f.reminders;
  if (r && (r.status === 'active' || r.status === 'disputed' || r.status === 'paused')) {
    const next = r.nextActionAt && r.status === 'active' ? plusDays(r.nextActionAt, GRACE_DAYS) : plusDays(now, 1);
    // At least an hour on, so a sweep never looks at the same plan twice in one pass.
    return { at: latest(floor, next, new Date(now.getTime() + 3600_000)), final: false };
  }
  if (r?.lastSentAt) return { at: latest(floor, plusDays(r.lastSentAt, GRACE_DAYS)), final: true };
  return { at: floor, final: true };
}

const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);
const latest = (...ds: Date[]) => ds.reduce((a, b) => (b > a ? b : a));
