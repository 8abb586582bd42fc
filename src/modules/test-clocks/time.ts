// Business time for a customer: the frozen time of their test clock, or the real clock.
import type { Queryable } from '../../db/client.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import { findTestClock } from './store.ts';

export async function nowFor(q: Queryable, clock: Clock, merchantId: string, testClockId: string | null): Promise<Date> {
  if (!testClockId) return clock.now();
  const tc = await findTestClock(q, merchantId, testClockId);
  return tc ? tc.frozenTime : clock.now();
}

/**
 * The same, for a change a merchant asks for: while the clock is advancing its time is a step of
 * the catch-up, not a moment anyone chose, so the change waits until the clock is ready.
 */
export async function nowForChange(q: Queryable, clock: Clock, merchantId: string, testClockId: string | null): Promise<Date> {
  if (!testClockId) return clock.now();
  const tc = await findTestClock(q, merchantId, testClockId);
  if (tc?.status === 'advancing') throw new DomainError('invalid_state', "The customer's test clock is advancing; try again when it is ready");
  return tc ? tc.frozenTime : clock.now();
}
