// Late-payment interest on what is still unpaid of one invoice, under a policy's rules: the one
// place the sweep, the case view and payment plans compute it.
import type { Logger } from 'pino';
import type { CalendarDate } from '../../domain/calendar-date.ts';
import type { Policy } from '../../domain/dunning-schedule.ts';
import { lateInterest, MissingReferenceRateError, type ReferenceRate } from '../../domain/late-interest.ts';

export function interestOn(
  rules: Policy['rules'],
  due: { dueDate: string; amountRemaining: number },
  asOf: CalendarDate,
  rates: ReferenceRate[],
  log?: Pick<Logger, 'warn'> | undefined,
): { amount: number; rateBp: number | null } {
  if (!rules.late_interest) return { amount: 0, rateBp: null };
  try {
    const r = lateInterest({
      balances: [{ from: due.dueDate as CalendarDate, amount: due.amountRemaining }],
      dueDate: due.dueDate as CalendarDate,
      asOf,
      rates,
      marginBp: rules.late_interest_margin_bp,
    });
    return { amount: r.amount, rateBp: r.rate_bp_now };
  } catch (err) {
    if (!(err instanceof MissingReferenceRateError)) throw err;
    // No reference rate known for these days: the operator has not updated the table. The
    // reminder goes out without interest rather than not at all.
    log?.warn({ day: err.day }, 'late interest left out: no reference rate for this day (update config/reference-rates.json)');
    return { amount: 0, rateBp: null };
  }
}
