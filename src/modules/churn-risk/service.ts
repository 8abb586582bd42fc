// Churn risk per customer: the pure score (src/domain/churn-risk.ts) over the signals the store
// reads, kept current by a background pass. The pass recomputes the customers whose signals an
// event touched (read from the events outbox behind a cursor) and, daily in each customer's business
// time, every customer. A level change stores the new level and records customer.churn_risk_changed
// in one transaction under the score row's lock: two recomputes of one customer serialise on it, so
// the second sees the level already stored and records nothing.
import type { Db } from '../../db/client.ts';
import { openTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { systemClock, type Clock } from '../../clock.ts';
import { DomainError, invalid } from '../../kernel/errors.ts';
import { churnRisk, weightsWith, type ChurnRiskLevel } from '../../domain/churn-risk.ts';
import type { EventService } from '../events/service.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import { toChurnRiskResource } from './contract.ts';
import * as store from './store.ts';

export type ChurnRiskRow = store.ChurnRiskRow;

// Events younger than this (by their id's time) may belong to a transaction still committing with
// an older id than one already visible; the cursor stays behind them. Ids carry wall time, not
// business time, so this is measured on the wall clock (deps.wall) on purpose.
const DEFAULT_SETTLE_MS = 5_000;
const EVENTS_PER_MERCHANT = 500;
const STALE_BATCH = 200;
// After a daily scan that found nothing, the next waits this long (wall time): an idle scan reads
// every customer (about 0.12 s per 100,000), and a day's recompute can start a minute late.
const STALE_IDLE_MS = 60_000;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The largest event id made at or before `ms` (ids are `evt_` + 10 time characters + 16 random). */
function eventIdBound(ms: number): string {
  let out = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) out = CROCKFORD[t % 32] + out;
  return `evt_${out}${'Z'.repeat(16)}`;
}

export function createChurnRiskService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'record'>;
  merchants: Pick<MerchantService, 'get'>;
  customers: Pick<CustomerService, 'get'>;
  time: Pick<TestClockTime, 'nowFor'>;
  settleMs?: number;
  /** Real time, for what runs on it (event ids carry wall time; the idle scan's pause): not business time. */
  wall?: Clock;
}) {
  const { db, clock, events } = deps;
  const wall = deps.wall ?? systemClock;
  const settleMs = deps.settleMs ?? DEFAULT_SETTLE_MS;
  let staleIdleSince: number | undefined;

  /** Scores one customer now and stores it; on a level change records the event, once. */
  async function recompute(merchantId: string, customerId: string): Promise<ChurnRiskRow> {
    return openTransaction(db, async (tx) => {
      const scope = { merchantId, tx };
      const merchant = await deps.merchants.get(scope);
      const customer = await deps.customers.get({ ...scope, livemode: merchant.livemode }, customerId);
      const now = await deps.time.nowFor(scope, customer.testClockId);
      const current = await store.lockScore(tx, merchantId, customerId, clock.now());
      // Read after the lock: a recompute that waited sees what the one before it committed.
      const signals = await store.readSignals(tx, merchantId, customerId, now, merchant.timeZone);
      if (!signals) throw new DomainError('not_found', `No such customer: ${customerId}`);
      const risk = churnRisk(signals, weightsWith(merchant.churnRiskWeights));
      const next: ChurnRiskRow = {
        ...current,
        score: risk.score,
        level: risk.level,
        reasons: risk.reasons,
        suggestedAction: risk.suggestedAction,
        computedAt: now,
        updatedAt: clock.now(),
      };
      await store.updateScore(tx, next);
      // A customer starts low: the first score records an event only when it is not.
      const previous: ChurnRiskLevel = current.level;
      if (risk.level !== previous) {
        await events.record(tx, { merchantId, livemode: merchant.livemode }, {
          type: 'customer.churn_risk_changed',
          objectId: customerId,
          object: toChurnRiskResource(next, previous),
          previousAttributes: { level: previous, score: current.score },
        });
      }
      return next;
    });
  }

  /** Customers whose signals changed since the cursor: recomputed, then the cursor moves past them. */
  async function passEvents(): Promise<number> {
    const bound = eventIdBound(wall.now().getTime() - settleMs);
    await store.startCursors(db, bound, clock.now());
    const rows = await store.nextSignalEvents(db, bound, EVENTS_PER_MERCHANT);
    const last = new Map<string, string>();
    const touched = new Map<string, Set<string>>();
    for (const r of rows) {
      last.set(r.merchant_id, r.id);
      if (!r.customer_id) continue;
      let set = touched.get(r.merchant_id);
      if (!set) touched.set(r.merchant_id, (set = new Set()));
      set.add(r.customer_id);
    }
    const failed = await recomputeEach([...touched].flatMap(([merchantId, ids]) => [...ids].map((customerId) => ({ merchantId, customerId }))));
    for (const [merchantId, id] of last) await store.advanceCursor(db, merchantId, id, clock.now());
    reportFailures(failed);
    return rows.length;
  }

  /** The daily recompute: customers with no score, or one more than a day old in their business time. */
  async function passStale(): Promise<number> {
    const stale = await store.staleCustomers(db, clock.now(), STALE_BATCH);
    const failed = await recomputeEach(stale.map((s) => ({ merchantId: s.merchant_id, customerId: s.customer_id })));
    staleIdleSince = stale.length === 0 ? wall.now().getTime() : undefined;
    reportFailures(failed);
    return stale.length;
  }

  /**
   * Recomputes each; one customer that fails does not hold up the others (the daily recompute tries
   * it again). An event can name a customer of the other mode or one since removed: nothing to score.
   */
  async function recomputeEach(list: { merchantId: string; customerId: string }[]): Promise<{ customerId: string; err: unknown }[]> {
    const failed: { customerId: string; err: unknown }[] = [];
    for (const { merchantId, customerId } of list) {
      try {
        await recompute(merchantId, customerId);
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'not_found')) failed.push({ customerId, err });
      }
    }
    return failed;
  }

  /** After the pass's work is recorded: the poller logs what failed. */
  function reportFailures(failed: { customerId: string; err: unknown }[]): void {
    if (failed.length === 0) return;
    const first = failed[0]!;
    throw new Error(`churn risk of ${failed.length} customer(s) not recomputed, e.g. ${first.customerId}: ${(first.err as Error)?.message ?? String(first.err)}`, { cause: first.err });
  }

  return {
    recompute,
    passEvents,
    passStale,

    /** One background pass (the poller repeats it while it moves anything). */
    async pass(): Promise<number> {
      const moved = await passEvents();
      const idle = staleIdleSince !== undefined && wall.now().getTime() - staleIdleSince < STALE_IDLE_MS;
      return moved + (idle ? 0 : await passStale());
    },

    /** The stored score, or one computed now when there is none yet. */
    async get(tenant: Caller, customerId: string): Promise<ChurnRiskRow> {
      await deps.customers.get(tenant, customerId);
      const stored = await store.findScore(queryableFor(db, tenant), tenant.merchantId, customerId);
      return stored ?? recompute(tenant.merchantId, customerId);
    },

    /** Customer ids of one level, riskiest first, after the customer `startingAfter` (by its score). */
    async listByLevel(tenant: Caller, level: ChurnRiskLevel, limit: number, startingAfter?: string) {
      const q = queryableFor(db, tenant);
      let after: { score: number; customerId: string } | undefined;
      if (startingAfter) {
        const row = await store.findScore(q, tenant.merchantId, startingAfter);
        if (!row) throw invalid([{ field: 'starting_after', location: 'query', message: 'must be a customer of the previous page (one with a churn risk)' }]);
        after = { score: row.score, customerId: row.customerId };
      }
      const rows = await store.listByLevel(q, tenant.merchantId, level, limit + 1, after);
      return { ids: rows.slice(0, limit).map((r) => r.customerId), hasMore: rows.length > limit };
    },
  };
}
export type ChurnRiskService = ReturnType<typeof createChurnRiskService>;
