// What happens next to one invoice in its dunning policy, as a pure decision: the sweep gathers
// the facts (business time, the invoice, the customer's last message, whether that day's payment
// files were read) and applies the result.
//
// Catching up: step k is planned at its nominal time (due date + offset, at the first sendable
// moment of that day), the due date moved by the case's shift in whole days. When a step goes out
// on a later day than planned (the worker was down, the minimum gap, a collection in progress,
// a dispute) the shift grows by those days, so the later steps keep their spacing: a worker down
// for a week sends the one step now due, not every step it missed. Waits within the day (quiet
// hours, the due-date cut-off) move nothing.
import type { CalendarDate } from './calendar-date.ts';
import { addDays, daysBetween, startOfDayInstant, toCalendarDate } from './calendar-date.ts';
import type { DunningRules, DunningStep } from './dunning-policy.ts';
import { localTimeOnDay, nextSendable, stepNominalTime } from './send-window.ts';

const DAY_MS = 86_400_000;
// How long to look again later while a processor is still collecting the invoice.
const COLLECTION_RECHECK_MS = 6 * 3600_000;

export interface Policy {
  steps: DunningStep[];
  rules: DunningRules;
}

export interface CaseState {
  nextStep: number;
  shiftSeconds: number;
}

export interface Facts {
  now: Date;
  timeZone: string;
  dueDate: CalendarDate;
  invoiceOwing: boolean; // open or partially paid, something left to pay
  closedReason: string; // why not, when not owing (paid, void, credited, ...)
  automaticPayment: boolean; // autogiro or card: collected by the processor
  kivra: boolean; // delivery through Kivra, which nudges before the due date itself
  collectionInProgress: boolean; // a processor attempt is scheduled or awaiting its result
  paymentsReadOnDueDate: boolean; // that day's payment files were imported
  customerLastMessageAt: Date | null;
  escalationStopped: boolean;
  escalationPostponedUntil: Date | null;
}

export type Decision =
  | { action: 'close'; reason: string }
  | { action: 'wait'; until: Date | null; why: string }
  | { action: 'skip'; toStep: number; nextActionAt: Date | null }
  | { action: 'send'; step: number }
  | { action: 'escalate'; step: number };

// Many invoices share a due date: a sweep asks for the same step times thousands of times.
const nominalCache = new Map<string, number>();

/** When step k would go out with no delays (the first sendable moment of its day). */
export function nominalTime(policy: Policy, k: number, dueDate: CalendarDate, timeZone: string): Date {
  const step = policy.steps[k]!;
  const q = policy.rules.quiet_hours;
  const key = `${dueDate}|${step.offset}|${step.offset_unit}|${timeZone}|${q.start}|${q.end}`;
  let ms = nominalCache.get(key);
  if (ms === undefined) {
    ms = stepNominalTime(dueDate, step, timeZone, q).getTime();
    if (nominalCache.size >= 100_000) nominalCache.clear();
    nominalCache.set(key, ms);
  }
  return new Date(ms);
}

const shiftDays = (shiftSeconds: number) => Math.round(shiftSeconds / 86_400);

/** When step k is planned: its nominal time with the due date moved by the case's shift; null past the last step. */
export function plannedTime(policy: Policy, k: number, dueDate: CalendarDate, timeZone: string, shiftSeconds: number): Date | null {
  if (k >= policy.steps.length) return null;
  return nominalTime(policy, k, addDays(dueDate, shiftDays(shiftSeconds)), timeZone);
}

/** A pre-due nudge is only for invoices paid by hand, not through Kivra, and only before the due date. */
function preDueApplies(f: Facts): boolean {
  return !f.automaticPayment && !f.kivra && f.now < startOfDayInstant(f.dueDate, f.timeZone);
}

/** The first step from k on that applies (pre-due steps that do not are passed over). */
function firstApplicable(policy: Policy, k: number, f: Facts): number {
  let i = k;
  while (i < policy.steps.length && policy.steps[i]!.kind === 'pre_due' && !preDueApplies(f)) i++;
  return i;
}

export function decide(policy: Policy, c: CaseState, f: Facts): Decision {
  if (!f.invoiceOwing) return { action: 'close', reason: f.closedReason };
  const k = firstApplicable(policy, c.nextStep, f);
  if (k >= policy.steps.length) return { action: 'close', reason: 'policy_completed' };
  if (k !== c.nextStep) return { action: 'skip', toStep: k, nextActionAt: plannedTime(policy, k, f.dueDate, f.timeZone, c.shiftSeconds) };
  const step = policy.steps[k]!;
  const planned = plannedTime(policy, k, f.dueDate, f.timeZone, c.shiftSeconds)!;
  if (f.now < planned) return { action: 'wait', until: planned, why: 'not_due' };
  // A processor still collecting: nothing is sent until it has given up (reminders follow then).
  if (f.collectionInProgress && step.kind !== 'pre_due') return { action: 'wait', until: new Date(f.now.getTime() + COLLECTION_RECHECK_MS), why: 'collection_in_progress' };

  if (step.kind === 'escalation') {
    if (f.escalationStopped) return { action: 'wait', until: null, why: 'escalation_stopped' };
    if (f.escalationPostponedUntil && f.now < f.escalationPostponedUntil) return { action: 'wait', until: f.escalationPostponedUntil, why: 'escalation_postponed' };
    return { action: 'escalate', step: k };
  }

  const gapEnds = f.customerLastMessageAt ? new Date(f.customerLastMessageAt.getTime() + policy.rules.min_gap_days * DAY_MS) : null;
  if (gapEnds && f.now < gapEnds) return { action: 'wait', until: gapEnds, why: 'min_gap' };
  const sendable = nextSendable(f.now, f.timeZone, policy.rules.quiet_hours);
  if (sendable.getTime() !== f.now.getTime()) return { action: 'wait', until: sendable, why: 'quiet_hours' };
  if (step.kind === 'due_date' && !f.paymentsReadOnDueDate) {
    const cutoff = localTimeOnDay(f.dueDate, policy.rules.payment_file_cutoff, f.timeZone);
    if (f.now < cutoff) return { action: 'wait', until: cutoff, why: 'payment_file_cutoff' };
  }
  return { action: 'send', step: k };
}

/**
 * The case after step k went out at `now`: the shift grows by the days it went late (never
 * shrinks), and the next step is planned from there, at least the minimum gap later.
 */
export function afterSent(policy: Policy, k: number, c: CaseState, now: Date, dueDate: CalendarDate, timeZone: string): { nextStep: number; shiftSeconds: number; nextActionAt: Date | null } {
  const plannedDay = toCalendarDate(plannedTime(policy, k, dueDate, timeZone, c.shiftSeconds)!, timeZone);
  const lateDays = Math.max(0, daysBetween(plannedDay, toCalendarDate(now, timeZone)));
  const shiftSeconds = (shiftDays(c.shiftSeconds) + lateDays) * 86_400;
  const nextStep = k + 1;
  const planned = plannedTime(policy, nextStep, dueDate, timeZone, shiftSeconds);
  if (!planned) return { nextStep, shiftSeconds, nextActionAt: null };
  const gapEnds = new Date(now.getTime() + policy.rules.min_gap_days * DAY_MS);
  return { nextStep, shiftSeconds, nextActionAt: planned > gapEnds ? planned : gapEnds };
}
