// What payment plans ask of dunning, inside the plan's transaction: the taken-over invoices' cases
// paused (and opened paused where the sweep has not opened one yet), resumed at the step they
// stopped at when a plan ends early, the instalments given cases in the gentler instalment policy,
// their reminder state read, and late interest to date on the invoices a plan takes over.
import type { Logger } from 'pino';
import type { Queryable, Tx } from '../../db/client.ts';
import type { Clock } from '../../clock.ts';
import type { CalendarDate } from '../../domain/calendar-date.ts';
import { DEFAULT_RULES } from '../../domain/dunning-policy.ts';
import type { ReferenceRate } from '../../domain/late-interest.ts';
import type { DunningPolicyService } from './policies.ts';
import { interestOn } from './interest.ts';
import * as store from './store.ts';

export function createDunningPlanHold(deps: {
  clock: Clock;
  policies: Pick<DunningPolicyService, 'defaultFor' | 'findDefault' | 'find' | 'findMany' | 'instalmentFor'>;
  referenceRates: ReferenceRate[];
  log?: Pick<Logger, 'warn'> | undefined;
}) {
  const { clock, policies } = deps;

  const blank = (merchantId: string, invoiceId: string, customerId: string, policyId: string, status: store.CaseRow['status'], at: Date | null): store.CaseRow => {
    const now = clock.now();
    return {
      merchantId, invoiceId, customerId, policyId, status, nextStep: 0, nextActionAt: at, shiftSeconds: 0, lastSentAt: null, escalationStopped: false, escalationPostponedUntil: null,
      disputedAt: null, disputeReason: null, feeAmount: 0, feeChargedAt: null, closedReason: null, escalatedAt: null, createdAt: now, updatedAt: now,
    };
  };

  return {
    /** The invoices' cases, locked (call before locking the invoices). */
    lockCases: async (tx: Tx, merchantId: string, invoiceIds: string[]) => new Map((await store.lockCasesOf(tx, merchantId, invoiceIds)).map((c) => [c.invoiceId, c])),

    /** Pauses the active cases; opens paused ones (at the first step) where none exists yet. */
    async pause(tx: Tx, merchantId: string, invoices: { id: string; customerId: string; policyId: string | null }[], existing: Map<string, store.CaseRow>): Promise<void> {
      const missing = invoices.filter((i) => !existing.has(i.id));
      const fallback = missing.some((i) => !i.policyId) ? (await policies.defaultFor(tx, merchantId)).id : null;
      await store.insertCases(tx, missing.map((i) => blank(merchantId, i.id, i.customerId, i.policyId ?? fallback!, 'paused', null)));
      await store.setCaseStatus(tx, merchantId, invoices.filter((i) => existing.has(i.id)).map((i) => i.id), 'active', 'paused', null, clock.now());
    },

    /** The plan ended early: the paused cases go on from their step at `at` (the sweep re-spaces later steps). */
    resume: (tx: Tx, merchantId: string, invoiceIds: string[], at: Date) => store.setCaseStatus(tx, merchantId, invoiceIds, 'paused', 'active', at, clock.now()),

    /** The instalments' cases in the instalment policy, looked at from `at` on. */
    async openInstalments(tx: Tx, merchantId: string, invoices: { id: string; customerId: string }[], at: Date): Promise<void> {
      const policy = await policies.instalmentFor(tx, merchantId);
      await store.insertCases(tx, invoices.map((i) => blank(merchantId, i.id, i.customerId, policy.id, 'active', at)));
    },

    caseStates: (q: Queryable, merchantId: string, invoiceIds: string[]) => store.caseStates(q, merchantId, invoiceIds),

    /**
     * Late interest to `asOf` on each invoice, under the policy it follows (its case's, else the
     * customer's, else the default). Reads only: a missing default is the built-in one.
     */
    async interest(q: Queryable, merchantId: string, items: { id: string; policyId: string | null; dueDate: string; amountRemaining: number }[], asOf: CalendarDate): Promise<Map<string, { amount: number; rateBp: number | null }>> {
      const cases = await store.caseStates(q, merchantId, items.map((i) => i.id));
      const ids = [...new Set(items.map((i) => cases.get(i.id)?.policyId ?? i.policyId).filter((x): x is string => !!x))];
      const byId = new Map((await policies.findMany(q, merchantId, ids)).map((p) => [p.id, p.rules]));
      const fallback = items.some((i) => !(cases.get(i.id)?.policyId ?? i.policyId)) ? ((await policies.findDefault(q, merchantId))?.rules ?? DEFAULT_RULES) : DEFAULT_RULES;
      const out = new Map<string, { amount: number; rateBp: number | null }>();
      for (const i of items) {
        const pid = cases.get(i.id)?.policyId ?? i.policyId;
        const rules = (pid ? byId.get(pid) : undefined) ?? fallback;
        out.set(i.id, i.dueDate < asOf ? interestOn(rules, i, asOf, deps.referenceRates, deps.log) : { amount: 0, rateBp: null });
      }
      return out;
    },
  };
}
export type DunningPlanHold = ReturnType<typeof createDunningPlanHold>;
