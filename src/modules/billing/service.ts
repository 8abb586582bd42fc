// Billing runs: invoice everything due for a merchant (or one test clock's customers) as of a
// moment, batch by batch, each batch its own transaction. The work list is the data, so a run
// that crashed, or a schedule that never fired, is finished by simply running again.
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import { toCalendarDate } from '../../domain/calendar-date.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { findMerchant } from '../merchants/store.ts';
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
  batchSize?: number;
  onError?: (err: unknown, run: { merchantId: string; id: string }) => void;
}) {
  const { db, clock } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;

  async function merchantAndTenant(q: Db | Tx, merchantId: string) {
    const merchant = await findMerchant(q, merchantId);
    if (!merchant) throw new DomainError('not_found', `No such merchant: ${merchantId}`);
    return { merchant, tenant: { merchantId, livemode: merchant.livemode } as Tenant };
  }

  /**
   * Bills what is due in scope inside the caller's transaction (a subscription's first invoice on
   * create, resume or reactivation): the same path as the run, one batch at a time.
   */
  async function billInTransaction(tx: Tx, scope: store.Scope, asOf: Date): Promise<{ progress: number }> {
    const { merchant, tenant } = await merchantAndTenant(tx, scope.merchantId);
    let progress = 0;
    for (;;) {
      const r = await billBatch(deps, tx, tenant, merchant, scope, asOf, batchSize);
      if (scope.subscriptionId && r.skipped.length > 0) {
        throw new DomainError('validation_failed', `The subscription cannot be invoiced: ${r.skipped[0]!.reason}`);
      }
      const done = r.invoices.length + r.ended.length + r.started;
      progress += done;
      // Nothing (more) due, or only subscriptions that cannot be invoiced: they stay due.
      if (done === 0) return { progress };
    }
  }

  /** Settles what an ending subscription leaves (see settle.ts), in the caller's transaction. */
  async function settleInTransaction(tx: Tx, merchantId: string, sub: Parameters<typeof settleSubscription>[4], extra: LineInput[], asOf: Date) {
    const { merchant, tenant } = await merchantAndTenant(tx, merchantId);
    await settleSubscription(deps, tx, tenant, merchant, sub, extra, toCalendarDate(asOf, merchant.timeZone), asOf);
  }

  async function createRun(merchantId: string, opts: { trigger: BillingRun['trigger']; testClockId?: string | null; asOf?: Date }): Promise<BillingRun> {
    const { merchant } = await merchantAndTenant(db, merchantId);
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
      subscriptionsDue: await store.countDue(db, scope, toCalendarDate(asOf, merchant.timeZone)),
      invoicesCreated: 0,
      subscriptionsEnded: 0,
      batches: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    };
    await store.insertRun(db, row);
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
        const r = await db.transaction(async (tx) => {
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
      const problems = [...skipped].map(([sub, reason]) => `${sub}: ${reason}`);
      await store.setRunStatus(db, merchantId, id, {
        status: 'completed',
        lastError: problems.length > 0 ? `${problems.length} subscription(s) could not be invoiced: ${problems.slice(0, 5).join('; ')}`.slice(0, 500) : null,
        completedAt: clock.now(),
        updatedAt: clock.now(),
      });
    } catch (err) {
      await store.setRunStatus(db, merchantId, id, { status: 'failed', lastError: rootMessage(err), updatedAt: clock.now() });
      throw err;
    }
    return (await store.findRun(db, merchantId, id))!;
  }

  /** Starts a run in the background of this process; the schedule resumes it if the process dies. */
  function startInBackground(run: BillingRun): void {
    executeRun(run.merchantId, run.id).catch((err) => deps.onError?.(err, run));
  }

  return {
    billInTransaction,
    settleInTransaction,
    createRun,
    executeRun,

    async startRun(tenant: Tenant): Promise<BillingRun> {
      const run = await createRun(tenant.merchantId, { trigger: 'api' });
      startInBackground(run);
      return run;
    },

    async getRun(tenant: Tenant, id: string): Promise<BillingRun & { subscriptionsLeft: number }> {
      const run = await store.findRun(db, tenant.merchantId, id);
      if (!run) throw new DomainError('not_found', `No such billing run: ${id}`);
      if (run.status === 'completed') return { ...run, subscriptionsLeft: 0 };
      const { merchant } = await merchantAndTenant(db, tenant.merchantId);
      const left = await store.countDue(db, { merchantId: tenant.merchantId, testClockId: run.testClockId }, toCalendarDate(run.asOf, merchant.timeZone));
      return { ...run, subscriptionsLeft: left };
    },

    async listRuns(tenant: Tenant, page: PageParams): Promise<Page<BillingRun>> {
      return toPage(await store.listRuns(db, tenant.merchantId, page), page);
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
