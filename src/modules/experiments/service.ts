// Tone and policy experiments: a merchant splits its customers (those without a dunning policy of
// their own) over two or more arms by a stable hash, the dunning sweep gives each the arm's policy
// and tone (inForce), and the results compare each arm's share paid within 2 bank days with the
// control's by a two-proportion z-test. Stopping names a winner that everyone gets from then on.
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalid, invalidField, type FieldError } from '../../kernel/errors.ts';
import { armIndex } from '../../domain/experiment-split.ts';
import { rateBp } from '../../domain/reminder-analytics.ts';
import { twoProportion, type TwoProportion } from '../../domain/two-proportion.ts';
import type { EventService } from '../events/service.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { DunningPolicyService } from '../dunning/policies.ts';
import type { AnalyticsService, GroupFigures } from '../analytics/service.ts';
import type { Arm } from './schema.ts';
import { toExperimentResource, type CreateExperimentInput } from './contract.ts';
import * as store from './store.ts';

export type ExperimentRow = store.ExperimentRow;
/** A customer's place in the experiment in force: its arm, and whether it is still running (else the arm is the winner). */
export type Assignment = { experimentId: string; arm: Arm; running: boolean };

export type ArmResult = {
  key: string;
  customers: number;
  messages: number;
  invoicesReminded: number;
  paidWithin2BankDays: number;
  paidRateBp: number | null;
  invoicesPaidWithin2BankDays: number;
  churnedWithin90Days: number;
  churnRateBp: number | null;
};
export type ExperimentResults = {
  experimentId: string;
  status: ExperimentRow['status'];
  arms: ArmResult[];
  comparisons: { arm: string; control: string; test: TwoProportion }[];
};

export function createExperimentService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'record'>;
  merchants: Pick<MerchantService, 'get'>;
  policies: Pick<DunningPolicyService, 'findMany'>;
  analytics: Pick<AnalyticsService, 'figures'>;
}) {
  const { db, clock, events } = deps;

  async function find(q: Queryable, tenant: Caller, id: string, forUpdate = false): Promise<ExperimentRow> {
    const row = await store.findExperiment(q, tenant.merchantId, id, { forUpdate });
    if (!row) throw new DomainError('not_found', `No such experiment: ${id}`);
    return row;
  }

  /** The arm this experiment puts a customer in (stable: a hash of the two ids). */
  const armOf = (row: ExperimentRow, customerId: string): Arm => row.arms[armIndex(row.id, customerId, row.arms.map((a) => a.weight))]!;

  return {
    async create(tenant: Caller, input: CreateExperimentInput): Promise<ExperimentRow> {
      const arms: Arm[] = input.arms.map((a) => ({ key: a.key, policy: a.policy, tone: a.tone, weight: a.weight ?? 1 }));
      const problems: FieldError[] = [];
      arms.forEach((a, i) => {
        if (arms.findIndex((b) => b.key === a.key) !== i) problems.push({ field: `arms[${i}].key`, location: 'body', message: `repeats ${a.key}: keys are unique` });
      });
      return inTransaction(db, tenant, async (tx) => {
        const wanted = [...new Set(arms.map((a) => a.policy).filter((p): p is string => p !== null))];
        const found = new Set((await deps.policies.findMany(tx, tenant.merchantId, wanted)).map((p) => p.id));
        arms.forEach((a, i) => {
          if (a.policy && !found.has(a.policy)) problems.push({ field: `arms[${i}].policy`, location: 'body', message: `does not exist: ${a.policy}` });
        });
        if (problems.length > 0) throw invalid(problems);
        const now = clock.now();
        const row: ExperimentRow = { merchantId: tenant.merchantId, id: newId('experiment'), name: input.name.trim(), status: 'running', arms, winner: null, metadata: input.metadata ?? {}, createdAt: now, stoppedAt: null, updatedAt: now };
        if (!(await store.insertIfNoneRunning(tx, row))) {
          const running = await store.findRunning(tx, tenant.merchantId);
          throw new DomainError('invalid_state', `Another experiment (${running?.id ?? 'started just now'}) is running: stop it, naming its winner, before starting one`);
        }
        await events.record(tx, tenant, { type: 'experiment.created', objectId: row.id, object: toExperimentResource(row, tenant.livemode) });
        return row;
      });
    },

    get: (tenant: Caller, id: string) => find(queryableFor(db, tenant), tenant, id),

    async list(tenant: Caller, filter: { status?: ExperimentRow['status'] | undefined }, page: PageParams): Promise<Page<ExperimentRow>> {
      return toPage(await store.listExperiments(queryableFor(db, tenant), tenant.merchantId, filter, page), page);
    },

    /** Stops a running experiment: the winner's policy and tone apply to everyone in it from now on. */
    async stop(tenant: Caller, id: string, winner: string): Promise<ExperimentRow> {
      return inTransaction(db, tenant, async (tx) => {
        const row = await find(tx, tenant, id, true);
        if (row.status !== 'running') throw new DomainError('invalid_state', `The experiment was stopped at ${row.stoppedAt?.toISOString()} with winner ${row.winner}`);
        if (!row.arms.some((a) => a.key === winner)) throw invalidField('winner', `is not an arm of ${id} (${row.arms.map((a) => a.key).join(', ')})`);
        const now = clock.now();
        const next: ExperimentRow = { ...row, status: 'stopped', winner, stoppedAt: now, updatedAt: now };
        await store.updateExperiment(tx, next);
        await events.record(tx, tenant, { type: 'experiment.stopped', objectId: row.id, object: toExperimentResource(next, tenant.livemode), previousAttributes: { status: 'running', winner: null, stopped_at: null } });
        return next;
      });
    },

    /** Per arm, from the messages sent while it ran, and each arm against the first (the control). */
    async results(tenant: Caller, id: string): Promise<ExperimentResults> {
      const q = queryableFor(db, tenant);
      const row = await find(q, tenant, id);
      const merchant = await deps.merchants.get(tenant);
      const figures = await deps.analytics.figures(q, tenant.merchantId, merchant.timeZone, { kind: 'experiment', experimentId: id }, 'arm');
      const byKey = new Map<string | null, GroupFigures>(figures.map((f) => [f.key, f]));
      const arms: ArmResult[] = row.arms.map((a) => {
        const f = byKey.get(a.key);
        const customers = f?.customers ?? 0;
        return {
          key: a.key,
          customers,
          messages: f?.messages ?? 0,
          invoicesReminded: f?.invoicesReminded ?? 0,
          paidWithin2BankDays: f?.customersPaidWithin2BankDays ?? 0,
          paidRateBp: rateBp(f?.customersPaidWithin2BankDays ?? 0, customers),
          invoicesPaidWithin2BankDays: f?.paidWithin2BankDays ?? 0,
          churnedWithin90Days: f?.churnedWithin90Days ?? 0,
          churnRateBp: rateBp(f?.churnedWithin90Days ?? 0, customers),
        };
      });
      const control = arms[0]!;
      const comparisons = arms.slice(1).map((a) => ({
        arm: a.key,
        control: control.key,
        test: twoProportion({ successes: control.paidWithin2BankDays, n: control.customers }, { successes: a.paidWithin2BankDays, n: a.customers }),
      }));
      return { experimentId: id, status: row.status, arms, comparisons };
    },

    /**
     * For the dunning sweep: the merchant's experiment in force (the newest: running, or stopped
     * and applying its winner), as the arm of a customer; null when there is none.
     */
    async inForce(tx: Tx, merchantId: string): Promise<((customerId: string) => Assignment) | null> {
      const row = await store.findLatest(tx, merchantId);
      if (!row) return null;
      if (row.status === 'running') return (customerId) => ({ experimentId: row.id, arm: armOf(row, customerId), running: true });
      const winner = row.arms.find((a) => a.key === row.winner)!;
      return () => ({ experimentId: row.id, arm: winner, running: false });
    },
  };
}
export type ExperimentService = ReturnType<typeof createExperimentService>;
