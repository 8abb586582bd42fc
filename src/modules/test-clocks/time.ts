// Business time for a customer: the frozen time of their test clock, or the real clock. Other
// modules get this injected (Pick<TestClockTime, …>) instead of reading test clocks themselves.
import type { Db } from '../../db/client.ts';
import { queryableFor, type Work } from '../../db/unit-of-work.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import { findTestClock } from './store.ts';

type Scope = Work & { merchantId: string };

export function createTestClockTime(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const find = (scope: Scope, id: string) => findTestClock(queryableFor(db, scope), scope.merchantId, id);
  return {
    find,

    async exists(scope: Scope, testClockId: string): Promise<boolean> {
      return (await find(scope, testClockId)) !== undefined;
    },

    async nowFor(scope: Scope, testClockId: string | null): Promise<Date> {
      if (!testClockId) return clock.now();
      const tc = await find(scope, testClockId);
      return tc ? tc.frozenTime : clock.now();
    },

    /**
     * The same, for a change a merchant asks for: while the clock is advancing its time is a step of
     * the catch-up, not a moment anyone chose, so the change waits until the clock is ready.
     */
    async nowForChange(scope: Scope, testClockId: string | null): Promise<Date> {
      if (!testClockId) return clock.now();
      const tc = await find(scope, testClockId);
      if (tc?.status === 'advancing') throw new DomainError('invalid_state', "The customer's test clock is advancing; try again when it is ready");
      return tc ? tc.frozenTime : clock.now();
    },
  };
}
export type TestClockTime = ReturnType<typeof createTestClockTime>;
