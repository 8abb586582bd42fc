// Test clocks: a test-mode merchant freezes time for some customers and moves it forward. An
// advance works through every billing date inside the jump, in order, each step as of its own
// day, so twelve months of a monthly subscription make exactly twelve invoices dated as they
// would have been. The clock reads 'advancing' until the catch-up is done.
import type { Db } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction } from '../../db/tx.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import { startOfDayInstant, toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { findMerchant } from '../merchants/store.ts';
import type { BillingService } from '../billing/service.ts';
import { earliestDue } from '../billing/store.ts';
import { pullForwardForTestClock } from '../webhooks/store.ts';
import * as store from './store.ts';

export type TestClock = store.TestClockRow;
const MAX_JUMP_MS = 5 * 366 * 24 * 3600_000;

const instant = (t: string | number) => (typeof t === 'number' ? new Date(t * 1000) : new Date(t));

export function createTestClockService(deps: {
  db: Db;
  clock: Clock;
  billing: Pick<BillingService, 'billInTransaction'>;
  onError?: (err: unknown, clock: { merchantId: string; id: string }) => void;
}) {
  const { db, clock, billing } = deps;

  function testModeOnly(tenant: Tenant): void {
    if (tenant.livemode) throw new DomainError('test_mode_only', 'Test clocks exist only in test mode; use a sk_test_ key');
  }

  async function get(tenant: Tenant, id: string): Promise<TestClock> {
    testModeOnly(tenant);
    const row = await store.findTestClock(db, tenant.merchantId, id);
    if (!row) throw new DomainError('not_found', `No such test clock: ${id}`);
    return row;
  }

  /**
   * Works off the jump to target_time step by step, each step one transaction holding the clock's
   * row lock, so a second catch-up (the schedule after a crash) waits instead of interleaving.
   */
  async function catchUp(merchantId: string, id: string): Promise<TestClock | undefined> {
    const merchant = (await findMerchant(db, merchantId))!;
    const scope = { merchantId, testClockId: id };
    // Dates at which only subscriptions that cannot be invoiced were left: later steps look past them.
    let stuckAt: string | undefined;
    for (;;) {
      const done = await inTransaction(db, async (tx) => {
        const tc = await store.findTestClock(tx, merchantId, id, { forUpdate: true });
        if (!tc || tc.status !== 'advancing' || !tc.targetTime) return tc ?? null;
        const target = tc.targetTime;
        const arrive = async () => {
          // Webhook retries of these customers' events fall due as if the whole jump had passed.
          if (tc.advancedFrom) await pullForwardForTestClock(tx, merchantId, id, target.getTime() - tc.advancedFrom.getTime());
          return store.updateTestClock(tx, { ...tc, frozenTime: target, targetTime: null, advancedFrom: null, status: 'ready', updatedAt: clock.now() });
        };
        const next = await earliestDue(tx, scope, toCalendarDate(target, merchant.timeZone), stuckAt);
        if (next === null) return arrive();
        // The moment that billing date began for these customers (never before the clock's own time).
        const dayStart = startOfDayInstant(next as CalendarDate, merchant.timeZone);
        const step = dayStart > tc.frozenTime ? dayStart : tc.frozenTime;
        await store.updateTestClock(tx, { ...tc, frozenTime: step, updatedAt: clock.now() });
        const { progress } = await billing.billInTransaction(tx, scope, step);
        // What is due but cannot be invoiced stays due (runs report it); the catch-up moves past it.
        if (progress === 0) stuckAt = next;
        return undefined;
      });
      if (done !== undefined) return done ?? undefined;
    }
  }

  return {
    get,
    catchUp,

    async create(tenant: Tenant, input: { frozen_time: string | number; name?: string | null | undefined }): Promise<TestClock> {
      testModeOnly(tenant);
      const now = clock.now();
      const row: TestClock = {
        merchantId: tenant.merchantId,
        id: newId('testClock'),
        name: input.name ?? null,
        frozenTime: instant(input.frozen_time),
        status: 'ready',
        targetTime: null,
        advancedFrom: null,
        createdAt: now,
        updatedAt: now,
      };
      await store.insertTestClock(db, row);
      return row;
    },

    async list(tenant: Tenant, page: PageParams): Promise<Page<TestClock>> {
      testModeOnly(tenant);
      return toPage(await store.listTestClocks(db, tenant.merchantId, page), page);
    },

    async remove(tenant: Tenant, id: string): Promise<TestClock> {
      const tc = await get(tenant, id);
      if (tc.status === 'advancing') throw new DomainError('invalid_state', 'The clock is advancing; delete it once it is ready');
      await inTransaction(db, (tx) => store.deleteTestClock(tx, tenant.merchantId, id));
      return tc;
    },

    /** Sets the target and returns at once ('advancing'); the catch-up runs in the background. */
    async advance(tenant: Tenant, id: string, input: { frozen_time: string | number }): Promise<TestClock> {
      testModeOnly(tenant);
      const target = instant(input.frozen_time);
      const started = await inTransaction(db, async (tx) => {
        const tc = await store.findTestClock(tx, tenant.merchantId, id, { forUpdate: true });
        if (!tc) throw new DomainError('not_found', `No such test clock: ${id}`);
        if (tc.status === 'advancing') throw new DomainError('invalid_state', 'The clock is still advancing; wait until it is ready');
        const field = [{ field: 'frozen_time', location: 'body' as const, message: '' }];
        if (target <= tc.frozenTime) {
          throw new DomainError('validation_failed', 'frozen_time must be later than the clock’s current time', { errors: [{ ...field[0]!, message: `must be after ${tc.frozenTime.toISOString()}` }] });
        }
        if (target.getTime() - tc.frozenTime.getTime() > MAX_JUMP_MS) {
          throw new DomainError('validation_failed', 'A clock advances at most five years at a time', { errors: [{ ...field[0]!, message: 'is more than five years ahead' }] });
        }
        return store.updateTestClock(tx, { ...tc, status: 'advancing', targetTime: target, advancedFrom: tc.frozenTime, updatedAt: clock.now() });
      });
      catchUp(tenant.merchantId, id).catch((err) => deps.onError?.(err, started));
      return started;
    },

    /** Clocks a crashed process left advancing (for the schedule). */
    async resumeAdvancing(): Promise<number> {
      const stuck = await store.listAdvancingClocks(db, 100);
      for (const c of stuck) await catchUp(c.merchantId, c.id);
      return stuck.length;
    },
  };
}
export type TestClockService = ReturnType<typeof createTestClockService>;
