// Test clocks: a test-mode merchant freezes time for some customers and moves it forward. An
// advance works through every billing date inside the jump, in order, each step as of its own
// day, so twelve months of a monthly subscription make exactly twelve invoices dated as they
// would have been. The clock reads 'advancing' until the catch-up is done; the catch-up is a job
// sent with the advance, so it runs after commit on a worker and resumes after a crash.
import type { Db } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, openTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import type { JobSender } from '../../jobs/queue.ts';
import { DomainError, invalidField } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { startOfDayInstant, toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { BillingService } from '../billing/service.ts';
import type { WebhookService } from '../webhooks/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { CollectionService } from '../collection/service.ts';
import type { DunningService } from '../dunning/service.ts';
import type { PaymentPlanService } from '../payment-plans/service.ts';
import * as store from './store.ts';

export type TestClock = store.TestClockRow;
const MAX_JUMP_MS = 5 * 366 * 24 * 3600_000;

const instant = (t: string | number) => (typeof t === 'number' ? new Date(t * 1000) : new Date(t));

export function createTestClockService(deps: {
  db: Db;
  clock: Clock;
  jobs: JobSender;
  merchants: Pick<MerchantService, 'get'>;
  billing: Pick<BillingService, 'billOneBatch' | 'earliestDue'>;
  webhooks: Pick<WebhookService, 'pullForwardForTestClock'>;
  customers: Pick<CustomerService, 'detachTestClock'>;
  collection: Pick<CollectionService, 'earliestDueForClock' | 'workClock'>;
  dunning: Pick<DunningService, 'earliestDueForClock' | 'workClock'>;
  paymentPlans: Pick<PaymentPlanService, 'earliestDueForClock' | 'workClock'>;
}) {
  const { db, clock, jobs, billing } = deps;

  function testModeOnly(tenant: Tenant): void {
    if (tenant.livemode) throw new DomainError('test_mode_only', 'Test clocks exist only in test mode; use a sk_test_ key');
  }

  async function get(tenant: Caller, id: string): Promise<TestClock> {
    testModeOnly(tenant);
    const row = await store.findTestClock(queryableFor(db, tenant), tenant.merchantId, id);
    if (!row) throw new DomainError('not_found', `No such test clock: ${id}`);
    return row;
  }

  /**
   * Works off the jump to target_time in steps, in order: each billing date (one billing batch per
   * transaction, the batches of a billing run), each day a collection attempt of the clock's
   * customers falls due, and each moment one of their reminder steps does (dunning's sweep, as of
   * that moment, so a jump through a month sends each step on its own day). Each step's transaction holds the clock's row lock, so a second catch-up
   * (a retried or resumed job) waits instead of interleaving, and a crash loses at most one
   * uncommitted batch. Collection is worked between the transactions (no transaction is open
   * during a processor call), as of its step's time: attempts due inside the jump are charged on
   * their own day, and retries they schedule inside the jump are worked too, before `ready`. Payment
   * plans are looked at as their instalments fall due or are missed, as of that moment.
   */
  async function catchUp(merchantId: string, id: string): Promise<TestClock | undefined> {
    const merchant = await deps.merchants.get({ merchantId });
    const scope = { merchantId, testClockId: id };
    // Dates at which only subscriptions that cannot be invoiced were left: later steps look past them.
    let stuckAt: string | undefined;
    // A step at which collection moved nothing (say, another worker holds the attempt): look past it.
    let collectedUpTo: Date | undefined;
    // The same for dunning (another sweep holds the cases).
    let dunnedUpTo: Date | undefined;
    // And for payment plans.
    let plannedUpTo: Date | undefined;
    for (;;) {
      const done = await openTransaction(db, async (tx): Promise<{ clock: TestClock | null } | { collectAt: Date } | { dunAt: Date } | { planAt: Date } | undefined> => {
        const tc = await store.findTestClock(tx, merchantId, id, { forUpdate: true });
        if (!tc || tc.status !== 'advancing' || !tc.targetTime) return { clock: tc ?? null };
        const target = tc.targetTime;
        const nextBill = await billing.earliestDue(tx, scope, toCalendarDate(target, merchant.timeZone), stuckAt);
        const nextCollect = await deps.collection.earliestDueForClock(tx, merchantId, id, target, collectedUpTo);
        const nextDun = await deps.dunning.earliestDueForClock(tx, merchantId, id, target, dunnedUpTo);
        const nextPlan = await deps.paymentPlans.earliestDueForClock(tx, merchantId, id, target, plannedUpTo);
        if (nextBill === null && nextCollect === null && nextDun === null && nextPlan === null) {
          // Webhook retries of these customers' events fall due as if the whole jump had passed.
          if (tc.advancedFrom) await deps.webhooks.pullForwardForTestClock(tx, merchantId, id, target.getTime() - tc.advancedFrom.getTime());
          return { clock: await store.updateTestClock(tx, { ...tc, frozenTime: target, targetTime: null, advancedFrom: null, status: 'ready', updatedAt: clock.now() }) };
        }
        const notBefore = (d: Date) => (d > tc.frozenTime ? d : tc.frozenTime);
        // The moment that billing date began for these customers (never before the clock's own time).
        const billStep = nextBill === null ? null : notBefore(startOfDayInstant(nextBill as CalendarDate, merchant.timeZone));
        const collectStep = nextCollect === null ? null : notBefore(nextCollect);
        const dunStep = nextDun === null ? null : notBefore(nextDun);
        const planStep = nextPlan === null ? null : notBefore(nextPlan);
        // Billing first, then collection, then reminders, then payment plans: a step at the same moment sees what came before.
        const step = [billStep, collectStep, dunStep, planStep].filter((d): d is Date => d !== null).reduce((a, b) => (b < a ? b : a));
        if (step.getTime() !== tc.frozenTime.getTime()) await store.updateTestClock(tx, { ...tc, frozenTime: step, updatedAt: clock.now() });
        // What is due but cannot be invoiced stays due (runs report it); the catch-up moves past it.
        if (billStep && billStep.getTime() === step.getTime()) {
          if ((await billing.billOneBatch(tx, scope, step)) === 0) stuckAt = nextBill!;
          return undefined;
        }
        if (collectStep && collectStep.getTime() === step.getTime()) return { collectAt: step };
        if (dunStep && dunStep.getTime() === step.getTime()) return { dunAt: step };
        return { planAt: step };
      });
      if (done && 'clock' in done) return done.clock ?? undefined;
      if (done && 'collectAt' in done && (await deps.collection.workClock(merchantId, id)) === 0) collectedUpTo = done.collectAt;
      if (done && 'dunAt' in done && (await deps.dunning.workClock(merchantId, id)) === 0) dunnedUpTo = done.dunAt;
      if (done && 'planAt' in done && (await deps.paymentPlans.workClock(merchantId, id)) === 0) plannedUpTo = done.planAt;
    }
  }

  return {
    get,
    catchUp,

    async create(tenant: Caller, input: { frozen_time: string | number; name?: string | null | undefined }): Promise<TestClock> {
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
      await store.insertTestClock(queryableFor(db, tenant), row);
      return row;
    },

    async list(tenant: Caller, page: PageParams): Promise<Page<TestClock>> {
      testModeOnly(tenant);
      return toPage(await store.listTestClocks(queryableFor(db, tenant), tenant.merchantId, page), page);
    },

    async remove(tenant: Caller, id: string): Promise<TestClock> {
      testModeOnly(tenant);
      return inTransaction(db, tenant, async (tx) => {
        const tc = await store.findTestClock(tx, tenant.merchantId, id, { forUpdate: true });
        if (!tc) throw new DomainError('not_found', `No such test clock: ${id}`);
        if (tc.status === 'advancing') throw new DomainError('invalid_state', 'The clock is advancing; delete it once it is ready');
        // Deleting a clock deletes nothing else: its customers keep their history and follow real time again.
        await deps.customers.detachTestClock(tx, tenant.merchantId, id);
        await store.deleteTestClock(tx, tenant.merchantId, id);
        return tc;
      });
    },

    /** Sets the target and returns at once ('advancing'); the catch-up job is sent in the same transaction. */
    async advance(tenant: Caller, id: string, input: { frozen_time: string | number }): Promise<TestClock> {
      testModeOnly(tenant);
      const target = instant(input.frozen_time);
      return inTransaction(db, tenant, async (tx) => {
        const tc = await store.findTestClock(tx, tenant.merchantId, id, { forUpdate: true });
        if (!tc) throw new DomainError('not_found', `No such test clock: ${id}`);
        if (tc.status === 'advancing') throw new DomainError('invalid_state', 'The clock is still advancing; wait until it is ready');
        if (target <= tc.frozenTime) throw invalidField('frozen_time', `must be after ${tc.frozenTime.toISOString()}`);
        if (target.getTime() - tc.frozenTime.getTime() > MAX_JUMP_MS) throw invalidField('frozen_time', 'is more than five years ahead');
        const started = await store.updateTestClock(tx, { ...tc, status: 'advancing', targetTime: target, advancedFrom: tc.frozenTime, updatedAt: clock.now() });
        await jobs.send(tx, 'test-clock-advance', { merchantId: tenant.merchantId, clockId: id });
        return started;
      });
    },

    /** Sends a catch-up job for every clock a crashed process left advancing (the start-up sweep and the schedule). */
    async resumeAdvancing(): Promise<number> {
      const stuck = await store.listAdvancingClocks(db, 1000);
      if (stuck.length === 0) return 0;
      await openTransaction(db, async (tx) => {
        for (const c of stuck) await jobs.send(tx, 'test-clock-advance', { merchantId: c.merchantId, clockId: c.id });
      });
      return stuck.length;
    },
  };
}
export type TestClockService = ReturnType<typeof createTestClockService>;
