// Business time for a customer: the frozen time of their test clock, or the real clock.
import type { Queryable } from '../../db/client.ts';
import type { Clock } from '../../clock.ts';
import { findTestClock } from './store.ts';

export async function nowFor(q: Queryable, clock: Clock, merchantId: string, testClockId: string | null): Promise<Date> {
  if (!testClockId) return clock.now();
  const tc = await findTestClock(q, merchantId, testClockId);
  return tc ? tc.frozenTime : clock.now();
}
