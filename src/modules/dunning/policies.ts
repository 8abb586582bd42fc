// Dunning policies: a merchant's default (made on first use from the built-in one) and others a
// customer can be given. A policy in use may change: cases read it at each step, so a change
// applies from the next step on.
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalid } from '../../kernel/errors.ts';
import { DEFAULT_RULES, DEFAULT_STEPS, INSTALMENT_RULES, INSTALMENT_STEPS, validatePolicy, type DunningRules, type DunningStep } from '../../domain/dunning-policy.ts';
import { mergeMetadata } from '../events/changes.ts';
import type { CreatePolicyInput, UpdatePolicyInput } from './policy-contract.ts';
import * as store from './policy-store.ts';

export type DunningPolicy = store.PolicyRow;

function checked(steps: DunningStep[], rules: DunningRules): void {
  const problems = validatePolicy(steps, rules);
  if (problems.length > 0) throw invalid(problems.map((p) => ({ field: p.field, location: 'body' as const, message: p.message })));
}

export function createDunningPolicyService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  function builtInDefault(merchantId: string, now: Date): DunningPolicy {
    return { merchantId, id: newId('dunningPolicy'), name: 'Default', isDefault: true, purpose: 'dunning', steps: DEFAULT_STEPS, rules: DEFAULT_RULES, metadata: {}, createdAt: now, updatedAt: now };
  }

  /** The merchant's default policy, made from the built-in one the first time it is needed. */
  async function defaultFor(tx: Tx, merchantId: string): Promise<DunningPolicy> {
    const found = await store.findDefault(tx, merchantId);
    if (found) return found;
    await store.insertDefaultIfMissing(tx, builtInDefault(merchantId, clock.now()));
    return (await store.findDefault(tx, merchantId))!;
  }

  /** The gentler policy every payment plan instalment follows, made the first time a plan needs it. */
  async function instalmentFor(tx: Tx, merchantId: string): Promise<DunningPolicy> {
    const found = await store.findInstalmentPolicy(tx, merchantId);
    if (found) return found;
    const now = clock.now();
    await store.insertDefaultIfMissing(tx, { merchantId, id: newId('dunningPolicy'), name: 'Payment plan instalments', isDefault: false, purpose: 'payment_plan', steps: INSTALMENT_STEPS, rules: INSTALMENT_RULES, metadata: {}, createdAt: now, updatedAt: now });
    return (await store.findInstalmentPolicy(tx, merchantId))!;
  }

  async function get(tenant: Caller, id: string): Promise<DunningPolicy> {
    const row = await store.findPolicy(queryableFor(db, tenant), tenant.merchantId, id);
    if (!row) throw new DomainError('not_found', `No such dunning policy: ${id}`);
    return row;
  }

  return {
    get,
    defaultFor,
    instalmentFor,
    /** The default without making one (a read that must write nothing); undefined: the built-in one would be made. */
    findDefault: (q: Queryable, merchantId: string) => store.findDefault(q, merchantId),
    find: (q: Queryable, merchantId: string, id: string) => store.findPolicy(q, merchantId, id),
    findMany: (q: Queryable, merchantId: string, ids: string[]) => store.findPolicies(q, merchantId, ids),

    /** Lists the merchant's policies; the default is made first if there is none yet, so it is always listed. */
    async list(tenant: Caller, page: PageParams): Promise<Page<DunningPolicy>> {
      return inTransaction(db, tenant, async (tx) => {
        await defaultFor(tx, tenant.merchantId);
        return toPage(await store.listPolicies(tx, tenant.merchantId, page), page);
      });
    },

    async create(tenant: Caller, input: CreatePolicyInput): Promise<DunningPolicy> {
      const steps = input.steps ?? DEFAULT_STEPS;
      const rules: DunningRules = { ...DEFAULT_RULES, ...input.rules };
      checked(steps, rules);
      const now = clock.now();
      return inTransaction(db, tenant, async (tx) => {
        await store.lockMerchantPolicies(tx, tenant.merchantId);
        const hasDefault = (await store.findDefault(tx, tenant.merchantId)) !== undefined;
        const isDefault = input.is_default === true || !hasDefault;
        if (isDefault) await store.clearDefault(tx, tenant.merchantId, now);
        const row: DunningPolicy = { merchantId: tenant.merchantId, id: newId('dunningPolicy'), name: input.name.trim(), isDefault, purpose: 'dunning', steps, rules, metadata: input.metadata ?? {}, createdAt: now, updatedAt: now };
        await store.insertPolicy(tx, row);
        return row;
      });
    },

    async update(tenant: Caller, id: string, input: UpdatePolicyInput): Promise<DunningPolicy> {
      return inTransaction(db, tenant, async (tx) => {
        await store.lockMerchantPolicies(tx, tenant.merchantId);
        const row = await store.findPolicy(tx, tenant.merchantId, id);
        if (!row) throw new DomainError('not_found', `No such dunning policy: ${id}`);
        const now = clock.now();
        const next: DunningPolicy = {
          ...row,
          name: input.name?.trim() ?? row.name,
          steps: input.steps ?? row.steps,
          rules: { ...row.rules, ...input.rules },
          metadata: input.metadata !== undefined ? mergeMetadata(row.metadata, input.metadata) : row.metadata,
          updatedAt: now,
        };
        checked(next.steps, next.rules);
        if (input.is_default && row.purpose === 'payment_plan') throw new DomainError('invalid_state', 'The payment plan instalment policy cannot be the default');
        if (input.is_default && !row.isDefault) {
          await store.clearDefault(tx, tenant.merchantId, now);
          next.isDefault = true;
        }
        await store.updatePolicy(tx, next);
        return next;
      });
    },
  };
}
export type DunningPolicyService = ReturnType<typeof createDunningPolicyService>;
