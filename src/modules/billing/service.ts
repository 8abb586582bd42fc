// Billing runs: invoice everything due for a merchant (or one test clock's customers) as of a
// moment, batch by batch, each batch its own transaction. The work list is the data, so a run
// that crashed, or a schedule that never fired, is finished by simply running again.
import type { Db, Tx } from '../../db/client.ts';
import { inTransaction, openTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import type { JobSender } from '../../jobs/queue.ts';
import { newId } from '../../db/ids.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import { DomainError, invalidField } from '../../kernel/errors.ts';
import { toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import type { Merchant, MerchantService } from '../merchants/service.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import { billBatch, type BillingDeps } from './bill.ts';
import { settleSubscription } from './settle.ts';
import type { LineInput } from '../invoices/compose.ts';
import * as store from './store.ts';

export type BillingRun = store.BillingRunRow;

/** The database's own words (drizzle wraps them in "Failed query: <the whole statement>"). */
function rootMessage(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return (e instanceof Error ? e.message : String(e)).slice(0, 500);
}
export const DEFAULT_BATCH_SIZE = 500;

export function createBillingService(deps: BillingDeps & {
  db: Db;
  jobs: JobSender;
  merchants: Pick<MerchantService, 'get'>;
  testClocks: Pick<TestClockTime, 'find'>;
  batchSize?: number;
  onError?: (err: unknown, run: { merchantId: string; id: string }) => void;
}) {
  const { db, clock, jobs, merchants } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;

  /** The merchant (read on `tx`, unless the caller already has it) and the tenant it makes. */
  async function merchantAndTenant(tx: Tx | undefined, merchantId: string, known?: Merchant) {
    const merchant = known ?? (await merchants.get({ merchantId, tx }));
    return { merchant, tenant: { merchantId, livemode: merchant.livemode } as Tenant };
  }

  /**
   * Bills what is due in scope inside the caller's transaction (a subscription's first invoice on
   * create, resume or reactivation): the same path as the run, one batch at a time.
   */
  async function billInTransaction(tx: Tx, scope: store.Scope, asOf: Date, known?: Merchant): Promise<{ progress: number }> {
    let progress = 0;
    for (;;) {
      const r = await billBatchIn(tx, scope, asOf, known);
      progress += r.done;
      // Nothing (more) due, or only subscriptions that cannot be invoiced: they stay due. One
      // subscription (created, resumed, reactivated) is due for one period at most, unless the
      // batch only began its trial; stopping here keeps the invoice number's lock short.
      if (r.done === 0 || (scope.subscriptionId && r.started === 0)) return { progress };
    }
  }

  async function billBatchIn(tx: Tx, scope: store.Scope, asOf: Date, known?: Merchant): Promise<{ done: number; started: number }> {
    const { merchant, tenant } = await merchantAndTenant(tx, scope.merchantId, known);
    const r = await billBatch(deps, tx, tenant, merchant, scope, asOf, batchSize);
    if (scope.subscriptionId && r.skipped.length > 0) {
      // The request would leave an unpayable (or unlawful) invoice: refuse it, changing nothing.
      if (r.skipped[0]!.problem) throw r.skipped[0]!.problem;
      throw new DomainError('validation_failed', `The subscription cannot be invoiced: ${r.skipped[0]!.reason}`);
    }
    return { done: r.invoices.length + r.ended.length + r.started, started: r.started };
  }

  /** One batch (up to batchSize subscriptions) of what is due in scope; returns how many moved on. */
  async function billOneBatch(tx: Tx, scope: store.Scope, asOf: Date): Promise<number> {
    return (await billBatchIn(tx, scope, asOf)).done;
  }

  /** Settles what an ending subscription leaves (see settle.ts), in the caller's transaction. */
  async function settleInTransaction(tx: Tx, merchantId: string, sub: Parameters<typeof settleSubscription>[4], extra: LineInput[], asOf: Date) {
    const { merchant, tenant } = await merchantAndTenant(tx, merchantId);
    await settleSubscription(deps, tx, tenant, merchant, sub, extra, toCalendarDate(asOf, merchant.timeZone), asOf);
  }

  async function createRun(
    merchantId: string,
    opts: { trigger: BillingRun['trigger']; testClockId?: string | null; asOf?: Date; tx?: Tx | undefined },
  ): Promise<BillingRun> {
    const { merchant } = await merchantAndTenant(opts.tx, merchantId);
    const q = queryableFor(db, opts);
    const asOf = opts.asOf ?? clock.now();
    const scope = { merchantId, testClockId: opts.testClockId ?? null };
    const now = clock.now();
    const row: BillingRun = {
      merchantId,
      id: newId('billingRun'),
      testClockId: scope.testClockId,
      status: 'pending',
      trigger: opts.trigger,
      asOf,
      subscriptionsDue: await store.countDue(q, scope, toCalendarDate(asOf, merchant.timeZone)),
      invoicesCreated: 0,
      subscriptionsEnded: 0,
      batches: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    };
    await store.insertRun(q, row);
    return row;
  }

  /**
   * Works a run off batch by batch until nothing due as of its `as_of` is left. Safe to call
   * again after a crash, or twice at once: batches lock with SKIP LOCKED, and each one commits
   * its invoices, the subscriptions' new periods and the run's progress together.
   * `maxBatches` stops early (as a crash would) — for tests and for bounded work per job.
   */
  async function executeRun(merchantId: string, id: string, opts: { maxBatches?: number } = {}): Promise<BillingRun> {
    const run = await store.findRun(db, merchantId, id);
    if (!run) throw new DomainError('not_found', `No such billing run: ${id}`);
    if (run.status === 'completed') return run;
    await store.setRunStatus(db, merchantId, id, { status: 'running', lastError: null, updatedAt: clock.now() });
    const scope = { merchantId, testClockId: run.testClockId };
    let batches = 0;
    let cursor: store.Cursor | undefined;
    let progress = false;
    const skipped = new Map<string, string>();
    try {
      for (;;) {
        if (opts.maxBatches !== undefined && batches >= opts.maxBatches) return (await store.findRun(db, merchantId, id))!;
        const r = await openTransaction(db, async (tx) => {
          const { merchant, tenant } = await merchantAndTenant(tx, merchantId);
          const r = await billBatch(deps, tx, tenant, merchant, scope, run.asOf, batchSize, cursor);
          if (r.locked > 0) await store.addProgress(tx, merchantId, id, r.invoices.length, r.ended.length, clock.now());
          return r;
        });
        batches++;
        for (const sk of r.skipped) skipped.set(sk.id, sk.reason);
        if (r.locked > 0) {
          cursor = r.last;
          progress ||= r.invoices.length + r.ended.length + r.started > 0;
          continue;
        }
        // The walk reached the end. Another walk from the start picks up what this one passed
        // by (rows another executor held and then gave back, and subscriptions several periods
        // behind, billed once per period, in order); the run is done when a walk does nothing.
        if (!progress) break;
        cursor = undefined;
        progress = false;
      }
      // Grouped by reason, so one reason shared by every subscription (the merchant's seller
      // settings) is named once: "3 subscription(s) could not be invoiced: sub_a, sub_b, sub_c: …".
      const byReason = new Map<string, string[]>();
      for (const [sub, reason] of skipped) byReason.set(reason, [...(byReason.get(reason) ?? []), sub]);
      const problems = [...byReason].map(([reason, subs]) => `${subs.slice(0, 5).join(', ')}${subs.length > 5 ? ` and ${subs.length - 5} more` : ''}: ${reason}`);
      await store.setRunStatus(db, merchantId, id, {
        status: 'completed',
        lastError: skipped.size > 0 ? `${skipped.size} subscription(s) could not be invoiced: ${problems.slice(0, 5).join('; ')}`.slice(0, 500) : null,
        completedAt: clock.now(),
        updatedAt: clock.now(),
      });
    } catch (err) {
      await store.setRunStatus(db, merchantId, id, { status: 'failed', lastError: rootMessage(err), updatedAt: clock.now() });
      throw err;
    }
    return (await store.findRun(db, merchantId, id))!;
  }

  return {
    billInTransaction,
    billOneBatch,
    /** The earliest billing date in scope up to `until` (after `after`), for a test clock's catch-up. */
    earliestDue: (tx: Tx, scope: store.Scope, until: CalendarDate, after?: string) => store.earliestDue(tx, scope, until, after),
    settleInTransaction,
    createRun,
    executeRun,

    /**
     * Creates a run and, in the same transaction, the job that works it off after commit. With a
     * test clock, the run bills that clock's customers as of the clock's frozen time.
     */
    startRun(caller: Caller, input: { test_clock?: string | undefined } = {}): Promise<BillingRun> {
      return inTransaction(db, caller, async (tx) => {
        let testClockId: string | null = null;
        let asOf: Date | undefined;
        if (input.test_clock !== undefined) {
          if (caller.livemode) throw new DomainError('test_mode_only', 'Test clocks exist only in test mode; use a sk_test_ key');
          const tc = await deps.testClocks.find({ ...caller, tx }, input.test_clock);
          if (!tc) throw invalidField('test_clock', `does not exist: ${input.test_clock}`);
          if (tc.status === 'advancing') throw new DomainError('invalid_state', 'The test clock is advancing; its catch-up bills what is due');
          testClockId = tc.id;
          asOf = tc.frozenTime;
        }
        const run = await createRun(caller.merchantId, { trigger: 'api', testClockId, ...(asOf ? { asOf } : {}), tx });
        await jobs.send(tx, 'billing-run', { merchantId: run.merchantId, runId: run.id });
        return run;
      });
    },

    async getRun(tenant: Caller, id: string): Promise<BillingRun & { subscriptionsLeft: number }> {
      const q = queryableFor(db, tenant);
      const run = await store.findRun(q, tenant.merchantId, id);
      if (!run) throw new DomainError('not_found', `No such billing run: ${id}`);
      if (run.status === 'completed') return { ...run, subscriptionsLeft: 0 };
      const { merchant } = await merchantAndTenant(tenant.tx, tenant.merchantId);
      const left = await store.countDue(q, { merchantId: tenant.merchantId, testClockId: run.testClockId }, toCalendarDate(run.asOf, merchant.timeZone));
      return { ...run, subscriptionsLeft: left };
    },

    async listRuns(tenant: Caller, page: PageParams): Promise<Page<BillingRun>> {
      return toPage(await store.listRuns(queryableFor(db, tenant), tenant.merchantId, page), page);
    },

    /** Sends a job for every run a crashed process left unfinished (the worker's start-up sweep). */
    async resumeInterrupted(): Promise<number> {
      // Every unfinished run, however recent: a run a live worker is on is only worked twice, safely.
      const runs = await store.listUnfinishedRuns(db, undefined, 1000);
      if (runs.length === 0) return 0;
      await openTransaction(db, async (tx) => {
        for (const r of runs) await jobs.send(tx, 'billing-run', { merchantId: r.merchantId, runId: r.id });
      });
      return runs.length;
    },

    /**
     * The schedule's tick: a run for every merchant with something due (customers on real time),
     * and the rest of any run a crashed worker left behind. Runs one after another, in this job.
     */
    async tick(): Promise<{ started: number; resumed: number }> {
      // One merchant's failure is reported and left for the next tick; it never stops the others.
      const attempt = async (run: { merchantId: string; id: string }) =>
        executeRun(run.merchantId, run.id).then(
          () => true,
          (err) => (deps.onError?.(err, run), false),
        );
      let resumed = 0;
      for (const r of await store.listUnfinishedRuns(db, new Date(clock.now().getTime() - 5 * 60_000), 100)) {
        if (await attempt(r)) resumed++;
      }
      let started = 0;
      for (const m of await store.merchantsWithDue(db, clock.now())) {
        const run = await createRun(m.merchantId, { trigger: 'schedule' });
        if (run.subscriptionsDue === 0) {
          await store.setRunStatus(db, m.merchantId, run.id, { status: 'completed', completedAt: clock.now(), updatedAt: clock.now() });
          continue;
        }
        if (await attempt(run)) started++;
      }
      return { started, resumed };
    },
  };
}
export type BillingService = ReturnType<typeof createBillingService>;
