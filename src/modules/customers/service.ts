// Customer use cases. Every function takes the merchant id first: no query can leave its tenant.
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller, type Work } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalid, type FieldError } from '../../kernel/errors.ts';
import { parseNationalId, type NationalIdErrorReason } from '../../domain/national-id.ts';
import { normalizePostalCode, normalizeVatNumber } from '../../domain/tax-registration.ts';
import { toCustomerResource, type CreateCustomerInput, type UpdateCustomerInput } from './contract.ts';
import type { EventService } from '../events/service.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import type { SubscriptionReader } from '../subscriptions/service.ts';
import { mergeMetadata, updateAndRecord } from '../events/changes.ts';
import * as store from './store.ts';
import {
  checkDelivery,
  checkPaymentMethod,
  customerChangeProblems,
  effectiveDelivery,
  effectivePaymentMethod,
  sameChoice,
  type Delivery,
  type PaymentMethod,
} from './choices.ts';
import { renderDelivery, renderPaymentMethod, type DeliveryInputBody, type PaymentMethodInputBody } from './choices-contract.ts';

export type Customer = store.CustomerRow;

/** What a return stamps: when, the first subscription's start, and the spans they had subscriptions before (overlaps merged). */
function returnFields(at: Date, spans: { startedAt: Date; endedAt: Date | null }[]): Pick<Customer, 'returnedAt' | 'firstSubscribedAt' | 'earlierTenure'> {
  const merged: { started_at: string; ended_at: string }[] = [];
  let cur: { start: Date; end: Date } | undefined;
  for (const s of [...spans].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())) {
    const end = s.endedAt ?? at;
    if (cur && s.startedAt <= cur.end) {
      if (end > cur.end) cur.end = end;
    } else {
      if (cur) merged.push({ started_at: cur.start.toISOString(), ended_at: cur.end.toISOString() });
      cur = { start: s.startedAt, end };
    }
  }
  if (cur) merged.push({ started_at: cur.start.toISOString(), ended_at: cur.end.toISOString() });
  return { returnedAt: at, firstSubscribedAt: spans[0]?.startedAt ?? null, earlierTenure: merged };
}
export type ChoiceChange = store.ChoiceChangeRow;
type ChoiceKind = ChoiceChange['kind'];

/** A history row: the effective choices before and after (a default shows as `default: true`). */
function choiceChange(
  c: Customer,
  kind: ChoiceKind,
  to: PaymentMethod | Delivery,
  at: Date,
  input: { initiator?: ChoiceChange['initiator'] | undefined; reason?: string | undefined },
): ChoiceChange {
  const from = kind === 'payment_method' ? renderPaymentMethod(effectivePaymentMethod(c), c.paymentMethod === null) : renderDelivery(effectiveDelivery(c), c.delivery === null);
  return {
    merchantId: c.merchantId,
    id: newId('choiceChange'),
    customerId: c.id,
    kind,
    at,
    from,
    to: kind === 'payment_method' ? renderPaymentMethod(to as PaymentMethod, false) : renderDelivery(to as Delivery, false),
    initiator: input.initiator ?? 'merchant',
    reason: input.reason ?? null,
  };
}

const NATIONAL_ID_MESSAGES: Record<NationalIdErrorReason, string> = {
  format: 'is not a Swedish personnummer, samordningsnummer or organisationsnummer',
  length: 'has the wrong number of digits',
  checksum: 'has a wrong check digit',
  date: 'does not contain a valid date of birth',
  type: 'is an organisationsnummer, but the customer type is person',
};

/** Checks and normalises the fields with Swedish rules; collects every problem at once. */
function normalize(row: Customer, today: Date): Customer {
  const errors: FieldError[] = [];
  const out = { ...row };
  if (row.nationalId !== null) {
    const parsed = parseNationalId(row.nationalId, { type: row.type, today });
    if (parsed.ok) {
      out.nationalId = parsed.value.normalized;
      out.nationalIdKind = parsed.value.kind;
    } else {
      errors.push({ field: 'national_id', location: 'body', message: NATIONAL_ID_MESSAGES[parsed.reason] });
    }
  } else {
    out.nationalIdKind = null;
  }
  if (row.vatNumber !== null) {
    const vat = normalizeVatNumber(row.vatNumber);
    if (vat.ok) out.vatNumber = vat.value;
    else errors.push({ field: 'vat_number', location: 'body', message: vat.message });
  }
  if (row.postalCode !== null && row.country !== null) {
    const pc = normalizePostalCode(row.postalCode, row.country);
    if (pc.ok) out.postalCode = pc.value;
    else errors.push({ field: 'address.postal_code', location: 'body', message: pc.message });
  }
  if (row.email !== null) out.email = row.email.trim();
  errors.push(...customerChangeProblems(out));
  if (errors.length > 0) {
    throw invalid(errors);
  }
  return out;
}

/** The customer's dunning settings after a create or update body's `dunning` (fields not sent keep their values). */
function withDunning(row: Customer, input: CreateCustomerInput['dunning']): Pick<Customer, 'dunningPolicyId' | 'reminderFeeAgreedAt' | 'reminderFeeTermsVersion' | 'escalationStopped' | 'escalationPostponedUntil'> {
  const out = {
    dunningPolicyId: row.dunningPolicyId,
    reminderFeeAgreedAt: row.reminderFeeAgreedAt,
    reminderFeeTermsVersion: row.reminderFeeTermsVersion,
    escalationStopped: row.escalationStopped,
    escalationPostponedUntil: row.escalationPostponedUntil,
  };
  if (!input) return out;
  if (input.policy !== undefined) out.dunningPolicyId = input.policy;
  if (input.reminder_fee_agreement !== undefined) {
    out.reminderFeeAgreedAt = input.reminder_fee_agreement ? new Date(input.reminder_fee_agreement.agreed_at) : null;
    out.reminderFeeTermsVersion = input.reminder_fee_agreement?.terms_version ?? null;
  }
  if (input.escalation_stopped !== undefined) out.escalationStopped = input.escalation_stopped;
  if (input.escalation_postponed_until !== undefined) out.escalationPostponedUntil = input.escalation_postponed_until ? new Date(input.escalation_postponed_until) : null;
  return out;
}

function externalIdTaken(externalId: string | null): DomainError {
  return new DomainError('external_id_taken', `Another customer already has external_id "${externalId}"`, {
    errors: [{ field: 'external_id', location: 'body', message: 'is already used by another customer' }],
  });
}

export function createCustomerService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'record'>;
  testClocks: Pick<TestClockTime, 'exists' | 'nowForChange'>;
  subscriptions: Pick<SubscriptionReader, 'liveIdsOf' | 'spansOf'>;
  dunningPolicies: { find(q: Queryable, merchantId: string, id: string): Promise<unknown> };
}) {
  const { db, clock, events, testClocks, subscriptions } = deps;

  async function checkPolicy(tenant: Caller, policyId: string | null | undefined): Promise<void> {
    if (!policyId) return;
    if (!(await deps.dunningPolicies.find(queryableFor(db, tenant), tenant.merchantId, policyId))) {
      throw invalid([{ field: 'dunning.policy', location: 'body', message: `does not exist: ${policyId}` }]);
    }
  }

  /** The customer, read on the caller's transaction when it has one (other modules use this). */
  async function find(caller: Work & { merchantId: string }, id: string): Promise<Customer | undefined> {
    return caller.tx ? store.findCustomer(caller.tx, caller.merchantId, id) : store.getCustomerRow(db, caller.merchantId, id);
  }

  /**
   * The customer locked on the caller's transaction: a subscription created or reactivated under it
   * cannot slip past a concurrent archive (which locks FOR UPDATE, then looks for live ones), and
   * concurrent subscription creates for one customer take turns.
   */
  function lockForSubscription(tx: Tx, merchantId: string, id: string): Promise<Customer | undefined> {
    return store.findCustomerForSubscription(tx, merchantId, id);
  }

  async function get(tenant: Caller, id: string): Promise<Customer> {
    const row = await find(tenant, id);
    if (!row) throw new DomainError('not_found', `No such customer: ${id}`);
    return row;
  }

  /** Applies `change` (which validates) and records customer.updated (see updateAndRecord). */
  async function mutate(
    tenant: Caller,
    id: string,
    change: (row: Customer, now: Date) => Customer,
    guard?: (tx: Tx, row: Customer) => Promise<void>,
  ): Promise<Customer> {
    const now = clock.now();
    return inTransaction(db, tenant, (tx) =>
      updateAndRecord(
        tx,
        events,
        tenant,
        {
          type: 'customer.updated',
          id,
          notFound: `No such customer: ${id}`,
          find: async (tx) => {
            const row = await store.findCustomerForUpdate(tx, tenant.merchantId, id);
            if (row && guard) await guard(tx, row);
            return row;
          },
          render: (row) => toCustomerResource(row, tenant.livemode),
          write: (tx, next) =>
            store.updateCustomer(tx, { ...next, updatedAt: now }).catch((e: unknown) => {
              throw e instanceof store.ExternalIdTaken ? externalIdTaken(next.externalId) : e;
            }),
        },
        (row) => change(row, now),
      ),
    );
  }

  /**
   * One change of a choice: the customer locked, the new choice checked against them, written with
   * its history row and event in one transaction. Concurrent changes serialise on the row lock, so
   * the current choice is the one committed last and the history has a row for each. Choosing what
   * is already chosen changes nothing and records nothing.
   */
  function changeChoice(
    tenant: Caller,
    id: string,
    kind: ChoiceKind,
    input: { initiator?: ChoiceChange['initiator'] | undefined; reason?: string | undefined },
    check: (row: Customer, today: Date) => PaymentMethod | Delivery,
  ): Promise<Customer> {
    return inTransaction(db, tenant, async (tx) => {
      const row = await store.findCustomerForUpdate(tx, tenant.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such customer: ${id}`);
      const at = await testClocks.nowForChange({ tx, merchantId: tenant.merchantId }, row.testClockId);
      const value = check(row, at);
      const current = kind === 'payment_method' ? row.paymentMethod : row.delivery;
      if (current !== null && sameChoice(current, value)) return row;
      const change = choiceChange(row, kind, value, at, input);
      const next: Customer = kind === 'payment_method' ? { ...row, paymentMethod: value as PaymentMethod } : { ...row, delivery: value as Delivery };
      const updated = await store.updateCustomer(tx, { ...next, updatedAt: clock.now() });
      await store.insertChoiceChanges(tx, [change]);
      await events.record(tx, tenant, {
        type: kind === 'payment_method' ? 'payment_method.changed' : 'delivery.changed',
        objectId: id,
        object: toCustomerResource(updated, tenant.livemode),
        previousAttributes: { [kind]: change.from, updated_at: row.updatedAt.toISOString() },
      });
      return updated;
    });
  }

  /**
   * A former customer (archived, or every subscription ended) created again with the same national
   * id, external_id or e-mail is not duplicated: 409 customer_exists, pointing at them. Current
   * customers may share these (households, several accounts), as before.
   */
  async function refuseFormerCustomer(tenant: Caller, row: Customer): Promise<void> {
    const q = queryableFor(db, tenant);
    const same = await store.findSameCustomers(q, tenant.merchantId, { nationalId: row.nationalId, externalId: row.externalId, email: row.email });
    for (const c of same) {
      let former = c.archivedAt !== null;
      if (!former) {
        const spans = await subscriptions.spansOf(q, tenant.merchantId, c.id);
        former = spans.length > 0 && spans.every((s) => s.endedAt !== null);
      }
      if (!former) continue;
      const field = row.nationalId !== null && c.nationalId === row.nationalId ? 'national_id' : row.externalId !== null && c.externalId === row.externalId ? 'external_id' : 'email';
      throw new DomainError(
        'customer_exists',
        `${c.id} is a former customer with the same ${field}; bring them back with POST /v1/customers/${c.id}/unarchive (or a new subscription) instead of creating them again`,
        { customer: c.id, errors: [{ field, location: 'body', message: `matches former customer ${c.id}` }] },
      );
    }
  }

  return {
    get,
    find,
    lockForSubscription,

    /**
     * Customer credit, for the payments module's credit ledger only: the balances of these customers
     * locked (FOR NO KEY UPDATE, in id order so concurrent batches cannot deadlock), optionally only
     * those holding credit; and the new balances written in one statement.
     */
    lockBalances: (tx: Tx, merchantId: string, ids: string[], opts: { withCreditOnly?: boolean } = {}) => store.lockBalances(tx, merchantId, ids, opts),
    writeBalances: (tx: Tx, merchantId: string, rows: store.BalanceRow[]) => store.writeBalances(tx, merchantId, rows),
    /** Customers whose normalised national id is one of these (a payer's id → the customer). */
    findIdsByNationalId: (q: Tx, merchantId: string, nationalIds: string[]) => store.findIdsByNationalId(q, merchantId, nationalIds),

    /** A deleted test clock's customers keep their history and follow real time again (in the deletion's transaction). */
    detachTestClock: (tx: Tx, merchantId: string, testClockId: string) => store.detachTestClock(tx, merchantId, testClockId),

    async create(tenant: Caller, input: CreateCustomerInput): Promise<Customer> {
      const now = clock.now();
      const row = normalize(
        {
          merchantId: tenant.merchantId,
          id: newId('customer'),
          type: input.type ?? 'person',
          name: input.name.trim(),
          email: input.email ?? null,
          phone: input.phone ?? null,
          nationalId: input.national_id ?? null,
          nationalIdKind: null,
          vatNumber: input.vat_number ?? null,
          addressLine1: input.address?.line1 ?? null,
          addressLine2: input.address?.line2 ?? null,
          postalCode: input.address?.postal_code ?? null,
          city: input.address?.city ?? null,
          country: input.address ? (input.address.country ?? 'SE') : null,
          locale: input.locale ?? 'sv',
          externalId: input.external_id ?? null,
          buyerReference: input.buyer_reference?.trim() ?? null,
          buyerReferenceRequired: input.buyer_reference_required ?? false,
          metadata: input.metadata ?? {},
          createdAt: now,
          updatedAt: now,
          archivedAt: null,
          testClockId: input.test_clock ?? null,
          paymentMethod: null,
          delivery: null,
          returnedAt: null,
          firstSubscribedAt: null,
          earlierTenure: null,
          balance: 0,
          balanceCurrency: null,
          dunningPolicyId: null,
          reminderFeeAgreedAt: null,
          reminderFeeTermsVersion: null,
          escalationStopped: false,
          escalationPostponedUntil: null,
        },
        now,
      );
      if (row.testClockId) {
        if (tenant.livemode) throw new DomainError('test_mode_only', 'Live-mode customers cannot use a test clock');
        if (!(await testClocks.exists(tenant, row.testClockId))) {
          throw new DomainError('validation_failed', `test_clock does not exist: ${row.testClockId}`, {
            errors: [{ field: 'test_clock', location: 'body', message: 'does not exist' }],
          });
        }
      }
      // Choices given at creation are checked like any change and start the history (from the defaults).
      const changes: ChoiceChange[] = [];
      if (input.payment_method || input.delivery) {
        const at = await testClocks.nowForChange(tenant, row.testClockId);
        const errors: FieldError[] = [];
        const attempt = (fn: () => void) => {
          try {
            fn();
          } catch (e) {
            if (!(e instanceof DomainError) || !e.errors) throw e;
            errors.push(...e.errors);
          }
        };
        const pmInput = input.payment_method;
        if (pmInput) {
          attempt(() => {
            const pm = checkPaymentMethod(pmInput, 'payment_method.');
            changes.push(choiceChange(row, 'payment_method', pm, at, pmInput));
            row.paymentMethod = pm;
          });
        }
        const deliveryInput = input.delivery;
        if (deliveryInput) {
          attempt(() => {
            const d = checkDelivery(deliveryInput, row, now, 'delivery.');
            changes.push(choiceChange(row, 'delivery', d, at, deliveryInput));
            row.delivery = d;
          });
        }
        if (errors.length > 0) throw invalid(errors);
      }
      Object.assign(row, withDunning(row, input.dunning));
      await checkPolicy(tenant, row.dunningPolicyId);
      await refuseFormerCustomer(tenant, row);
      // The insert, its customer.created event and the webhook deliveries are one statement
      // (with the first history rows, one transaction).
      const object = toCustomerResource(row, tenant.livemode);
      try {
        if (changes.length === 0) {
          await events.record(queryableFor(db, tenant), tenant, { type: 'customer.created', objectId: row.id, object }, store.insertCustomerSql(db, row));
        } else {
          await inTransaction(db, tenant, async (tx) => {
            await events.record(tx, tenant, { type: 'customer.created', objectId: row.id, object }, store.insertCustomerSql(db, row));
            await store.insertChoiceChanges(tx, changes);
          });
        }
      } catch (e) {
        if (store.isExternalIdConflict(e)) throw externalIdTaken(row.externalId);
        throw e;
      }
      return row;
    },

    async update(tenant: Caller, id: string, input: UpdateCustomerInput): Promise<Customer> {
      await checkPolicy(tenant, input.dunning?.policy);
      return mutate(tenant, id, (row, now) => {
        const next: Customer = { ...row, ...withDunning(row, input.dunning) };
        if (input.name !== undefined) next.name = input.name.trim();
        if (input.email !== undefined) next.email = input.email;
        if (input.phone !== undefined) next.phone = input.phone;
        if (input.type !== undefined) next.type = input.type;
        if (input.national_id !== undefined) next.nationalId = input.national_id;
        if (input.vat_number !== undefined) next.vatNumber = input.vat_number;
        if (input.locale !== undefined) next.locale = input.locale;
        if (input.external_id !== undefined) next.externalId = input.external_id;
        if (input.buyer_reference !== undefined) next.buyerReference = input.buyer_reference?.trim() ?? null;
        if (input.buyer_reference_required !== undefined) next.buyerReferenceRequired = input.buyer_reference_required;
        if (input.address !== undefined) {
          const a = input.address;
          next.addressLine1 = a?.line1 ?? null;
          next.addressLine2 = a?.line2 ?? null;
          next.postalCode = a?.postal_code ?? null;
          next.city = a?.city ?? null;
          next.country = a ? (a.country ?? 'SE') : null;
        }
        if (input.metadata !== undefined) next.metadata = mergeMetadata(row.metadata, input.metadata);
        return normalize(next, now);
      });
    },

    /**
     * Archived customers keep their history and choices; nothing a future invoice references is
     * deleted. A customer with a subscription that is not canceled is not archived (409, naming
     * them): billing would go on for a customer hidden from the lists, and ending a subscription
     * needs a reason and an initiator only the merchant can give. Cancel them first.
     */
    archive(tenant: Caller, id: string): Promise<Customer> {
      return mutate(
        tenant,
        id,
        (row, now) => ({ ...row, archivedAt: row.archivedAt ?? now }),
        async (tx, row) => {
          if (row.archivedAt) return;
          const live = await subscriptions.liveIdsOf(tx, tenant.merchantId, id);
          if (live.length > 0) {
            throw new DomainError(
              'customer_has_live_subscriptions',
              `Customer ${id} has ${live.length} subscription(s) that are not canceled (${live.join(', ')}); cancel them (POST /v1/subscriptions/{id}/cancel) before archiving the customer`,
            );
          }
        },
      );
    },

    /**
     * Welcome back: a returning customer comes back with everything they had, their earlier
     * choices in force; they show `returning`, `first_subscribed_at`, their earlier tenure, and
     * `customer.returned` fires (once per return: unarchiving a customer who is not archived does nothing).
     */
    unarchive(tenant: Caller, id: string): Promise<Customer> {
      return inTransaction(db, tenant, async (tx) => {
        const scope = { ...tenant, tx };
        let back: { at: Date; spans: { startedAt: Date; endedAt: Date | null }[] } | undefined;
        const row = await mutate(
          scope,
          id,
          (row) => (back ? { ...row, archivedAt: null, ...returnFields(back.at, back.spans) } : row),
          async (tx, row) => {
            if (!row.archivedAt) return;
            back = {
              at: await testClocks.nowForChange({ tx, merchantId: tenant.merchantId }, row.testClockId),
              spans: await subscriptions.spansOf(tx, tenant.merchantId, id),
            };
          },
        );
        if (back) await events.record(tx, tenant, { type: 'customer.returned', objectId: id, object: toCustomerResource(row, tenant.livemode) });
        return row;
      });
    },

    /**
     * Welcome back by a new subscription: a customer whose every earlier subscription ended returns
     * as on unarchive (returning fields stamped, `customer.returned`). Called, with the customer
     * locked, before the new subscription exists; a first subscription is no return.
     */
    returnWithSubscription(tenant: Caller, id: string): Promise<void> {
      return inTransaction(db, tenant, async (tx) => {
        let back: { at: Date; spans: { startedAt: Date; endedAt: Date | null }[] } | undefined;
        const row = await mutate(
          { ...tenant, tx },
          id,
          (row) => (back ? { ...row, ...returnFields(back.at, back.spans) } : row),
          async (tx, row) => {
            const spans = await subscriptions.spansOf(tx, tenant.merchantId, id);
            if (spans.length === 0 || spans.some((s) => s.endedAt === null)) return;
            back = { at: await testClocks.nowForChange({ tx, merchantId: tenant.merchantId }, row.testClockId), spans };
          },
        );
        if (back) await events.record(tx, tenant, { type: 'customer.returned', objectId: id, object: toCustomerResource(row, tenant.livemode) });
      });
    },

    /** Sets how the customer pays; the change is kept in the history and `payment_method.changed` fires. */
    changePaymentMethod(tenant: Caller, id: string, input: PaymentMethodInputBody): Promise<Customer> {
      return changeChoice(tenant, id, 'payment_method', input, () => checkPaymentMethod(input));
    },

    /** Sets how invoices reach the customer; kept in the history, `delivery.changed` fires. */
    changeDelivery(tenant: Caller, id: string, input: DeliveryInputBody): Promise<Customer> {
      return changeChoice(tenant, id, 'delivery', input, (row, today) => checkDelivery(input, row, today));
    },

    /** Every change of the customer's choices, newest first. */
    async choiceHistory(tenant: Caller, id: string, kind: ChoiceKind | undefined, page: PageParams): Promise<Page<ChoiceChange>> {
      await get(tenant, id);
      return toPage(await store.listChoiceChanges(queryableFor(db, tenant), tenant.merchantId, id, kind, page), page);
    },

    async list(
      tenant: Caller,
      filter: { email?: string | undefined; externalId?: string | undefined; archived?: boolean | undefined },
      page: PageParams,
    ): Promise<Page<Customer>> {
      const rows = await store.listCustomers(queryableFor(db, tenant), tenant.merchantId, { ...filter, archived: filter.archived ?? false }, page);
      return toPage(rows, page);
    },
  };
}
export type CustomerService = ReturnType<typeof createCustomerService>;
