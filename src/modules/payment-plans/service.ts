// Payment plans: a customer's open invoices split into 2–24 instalments.
//
// The design (README, Payment plans): each instalment is an invoice of its own, numbered in the
// merchant's series with its own OCR reference and PDF, so payments match it, collection charges
// it and the reminders reach it the way they reach any invoice; nothing new learns to take money.
// The plan takes the original invoices over: their remainder moves into `amount_plan` (status
// `in_payment_plan`, amount_remaining 0), so what the customer owes is counted once, on the
// instalments, and the originals' reminders are paused. When the instalments are all paid the
// originals are paid (by the plan). When an instalment is missed (or the merchant cancels), the
// money the plan received settles the originals' principal first, earliest due first; the rest of
// each original goes back to it (amount_remaining), the unpaid instalments are closed (void, their
// remainder in their own amount_plan) and the originals' reminders go on from the step they were
// at. What the plan added (interest to its day, the fee) and was not paid is dropped: dunning
// charges its own interest on what went back. No öre is lost or counted twice: on every invoice
// amount_remaining = amount_due − amount_paid − amount_from_balance − amount_credited − amount_plan.
//
// Locks, in the order the dunning sweep and payments take them: the plan row, the originals'
// dunning cases, the invoices (id order), the number series. Two plans over one invoice: the
// second waits for the first's locks and then finds the invoice in_payment_plan (409).
import type { Logger } from 'pino';
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, openTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalidField, type FieldError } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { addDays, parseCalendarDate, toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import { defaultFirstDueDate, instalmentDates, missedAt, PAYMENT_PLAN_FEE_CAP, settleEarlyEnd, splitInstalments, type Interval } from '../../domain/payment-plan.ts';
import type { EventService, NewEvent } from '../events/service.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import type { InvoiceService } from '../invoices/service.ts';
import type { InvoiceLedger } from '../invoices/ledger.ts';
import type { InvoiceRow } from '../invoices/compose.ts';
import { toInvoiceResource } from '../invoices/contract.ts';
import type { DunningPlanHold } from '../dunning/plan-hold.ts';
import type { CreditLedger } from '../payments/credit.ts';
import { toPlanResource, type CreatePlanInput, type OfferInput } from './contract.ts';
import * as store from './store.ts';

const BATCH = 50;

export type PlanDraft = {
  customerId: string;
  currency: string;
  interval: Interval;
  taken: { invoiceId: string; amount: number; interest: number }[];
  principal: number;
  interest: number;
  fee: number;
  total: number;
  instalments: { seq: number; amount: number; dueDate: CalendarDate }[];
};

export type InstalmentView = { seq: number; invoiceId: string; amount: number; dueDate: string; paid: number; remaining: number; status: 'open' | 'paid' | 'missed' | 'canceled' };
export type PlanView = { plan: store.PlanRow; taken: PlanDraft['taken']; instalments: InstalmentView[] };

type Merchant = Awaited<ReturnType<MerchantService['get']>>;
type Customer = NonNullable<Awaited<ReturnType<CustomerService['find']>>>;

const owing = (r: InvoiceRow) => (r.status === 'open' || r.status === 'partially_paid') && r.amountRemaining > 0;
// What settled an invoice other than a plan: payments, the customer's credit, credit notes.
const settledOf = (r: InvoiceRow) => r.amountPaid + r.amountFromBalance + r.amountCredited;

/** Why an invoice cannot go into a plan, or null. */
function unplannable(r: InvoiceRow, customerId: string, caseStatus: string | undefined): string | null {
  if (r.customerId !== customerId) return `belongs to another customer (${r.customerId})`;
  if (r.status === 'in_payment_plan') return 'is in a running payment plan already';
  if (r.status === 'in_collection') return 'is with the collection agency (in_collection)';
  if (r.billingReason === 'payment_plan') return 'is an instalment of a payment plan';
  if (caseStatus === 'disputed') return 'is disputed: resolve the dispute first';
  if (r.status === 'draft') return 'is a draft: finalise it first';
  if (!owing(r) || !r.dueDate) return `is ${r.status === 'open' || r.status === 'partially_paid' ? 'paid' : r.status}: nothing to pay`;
  return null;
}

export function createPaymentPlanService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'recordMany'>;
  merchants: Pick<MerchantService, 'get'>;
  customers: Pick<CustomerService, 'find'>;
  time: Pick<TestClockTime, 'nowFor' | 'nowForChange'>;
  invoices: Pick<InvoiceService, 'issueInstalments'>;
  ledger: Pick<InvoiceLedger, 'findInvoices' | 'lockInvoices' | 'writePlanChanges' | 'writeSettlements' | 'linesOf'>;
  credit: Pick<CreditLedger, 'applyToInvoices'>;
  hold: DunningPlanHold;
  log?: Pick<Logger, 'warn' | 'error'> | undefined;
}) {
  const { db, clock, ledger, hold } = deps;

  async function customerOf(scope: Caller, id: string): Promise<Customer> {
    const c = await deps.customers.find(scope, id);
    if (!c) throw new DomainError('not_found', `No such customer: ${id}`, { errors: [{ field: 'customer', location: 'body', message: `does not exist: ${id}` }] });
    return c;
  }

  /** The plan the request describes, checked; shared by creation and offers (which write nothing). */
  async function compose(
    q: Queryable,
    tenant: Tenant,
    o: { merchant: Merchant; customer: Customer; ids: string[]; rows: InvoiceRow[]; cases: Map<string, { status: string }>; today: CalendarDate; input: OfferInput & { fee_agreement?: CreatePlanInput['fee_agreement'] }; offer: boolean },
  ): Promise<PlanDraft> {
    const { merchant, customer, input } = o;
    const byId = new Map(o.rows.map((r) => [r.id, r]));
    const unknown = o.ids.flatMap((id, i) => (byId.has(id) ? [] : [{ field: `invoices[${i}]`, location: 'body' as const, message: `does not exist: ${id}` }]));
    if (unknown.length > 0) throw new DomainError('not_found', `No such invoice: ${unknown.map((e) => e.message.slice(16)).join(', ')}`, { errors: unknown });
    const refused: FieldError[] = [];
    o.ids.forEach((id, i) => {
      const why = unplannable(byId.get(id)!, customer.id, o.cases.get(id)?.status);
      if (why) refused.push({ field: o.offer ? 'id' : `invoices[${i}]`, location: o.offer ? 'path' : 'body', message: why });
    });
    const currency = byId.get(o.ids[0]!)!.currency;
    o.ids.forEach((id, i) => {
      const r = byId.get(id)!;
      if (r.currency !== currency) refused.push({ field: `invoices[${i}]`, location: 'body', message: `is in ${r.currency}, the plan in ${currency}` });
    });
    if (refused.length > 0) throw new DomainError('invoice_not_plannable', refused.map((e) => `${e.field} ${e.message}`).join('; '), { errors: refused });

    let first = defaultFirstDueDate(o.today);
    if (input.first_due_date !== undefined) {
      const d = parseCalendarDate(input.first_due_date);
      if (!d || d <= o.today || d > addDays(o.today, 365)) throw invalidField('first_due_date', `must be a date after today (${o.today}) and within a year`);
      first = d;
    }

    const merchantFee = merchant.paymentPlanFee;
    if (input.fee !== undefined && input.fee > PAYMENT_PLAN_FEE_CAP) throw invalidField('fee', `at most ${PAYMENT_PLAN_FEE_CAP} öre: lag (1981:739) 4 § caps a payment plan fee at 170 kr`);
    // Without the customer's written agreement a plan carries no fee; an offer shows the fee they would agree to.
    const fee = input.fee ?? (o.offer || input.fee_agreement ? (merchantFee ?? 0) : 0);
    if (fee > 0) {
      if (merchantFee === null) throw invalidField('fee', 'cannot be charged: the merchant has not enabled a plan fee (payment_plan_fee on PATCH /v1/merchant)');
      if (fee > merchantFee) throw invalidField('fee', `is more than the merchant's payment_plan_fee (${merchantFee})`);
      if (!o.offer && !input.fee_agreement) throw invalidField('fee_agreement', 'is required with a fee: the customer must agree to the plan and its fee in writing (lag (1981:739) 3 § 2)');
    }

    const rows = o.ids.map((id) => byId.get(id)!).sort((a, b) => (a.dueDate! < b.dueDate! ? -1 : a.dueDate! > b.dueDate! ? 1 : a.id < b.id ? -1 : 1));
    const interest = await hold.interest(q, tenant.merchantId, rows.map((r) => ({ id: r.id, policyId: customer.dunningPolicyId, dueDate: r.dueDate!, amountRemaining: r.amountRemaining })), o.today);
    const taken = rows.map((r) => ({ invoiceId: r.id, amount: r.amountRemaining, interest: interest.get(r.id)?.amount ?? 0 }));
    const principal = taken.reduce((s, t) => s + t.amount, 0);
    const interestSum = taken.reduce((s, t) => s + t.interest, 0);
    const total = principal + interestSum + fee;
    const amounts = splitInstalments(total, input.instalments);
    if (!amounts) throw invalidField('instalments', `are too many for ${total} öre: each instalment must be at least 1 kr`);
    const interval = input.interval ?? 'month';
    const dates = instalmentDates(first, input.instalments, interval);
    return {
      customerId: customer.id,
      currency,
      interval,
      taken,
      principal,
      interest: interestSum,
      fee,
      total,
      instalments: amounts.map((amount, i) => ({ seq: i + 1, amount, dueDate: dates[i]! })),
    };
  }

  async function viewOf(q: Queryable, merchantId: string, plans: store.PlanRow[]): Promise<PlanView[]> {
    const { taken, instalments } = await store.partsOf(q, merchantId, plans.map((p) => p.id));
    const invoices = new Map((await ledger.findInvoices(q, merchantId, [...instalments.values()].flat().map((i) => i.invoiceId))).map((r) => [r.id, r]));
    return plans.map((plan) => ({
      plan,
      taken: (taken.get(plan.id) ?? []).map((t) => ({ invoiceId: t.invoiceId, amount: t.amount, interest: t.interest })),
      instalments: (instalments.get(plan.id) ?? []).map((i) => {
        const inv = invoices.get(i.invoiceId)!;
        const status: InstalmentView['status'] = plan.missedInstalment === i.seq ? 'missed' : inv.status === 'paid' ? 'paid' : inv.status === 'void' ? 'canceled' : 'open';
        return { seq: i.seq, invoiceId: i.invoiceId, amount: i.amount, dueDate: i.dueDate, paid: settledOf(inv), remaining: owing(inv) ? inv.amountRemaining : 0, status };
      }),
    }));
  }

  const planEvent = async (tx: Tx, tenant: Tenant, type: NewEvent['type'], plan: store.PlanRow): Promise<NewEvent> => ({ type, objectId: plan.id, object: toPlanResource((await viewOf(tx, tenant.merchantId, [plan]))[0]!, tenant.livemode) });

  async function invoiceEvents(tx: Tx, tenant: Tenant, changes: { type: NewEvent['type']; row: InvoiceRow; previous: Record<string, unknown> }[]): Promise<NewEvent[]> {
    const lines = await ledger.linesOf(tx, tenant.merchantId, changes.map((c) => c.row.id));
    return changes.map((c) => ({ type: c.type, objectId: c.row.id, object: toInvoiceResource(c.row, lines.get(c.row.id) ?? [], tenant.livemode), previousAttributes: c.previous }));
  }

  const previousOf = (r: InvoiceRow) => ({ status: r.status, amount_remaining: r.amountRemaining, amount_payment_plan: r.amountPlan });

  /**
   * Ends a plan before it was paid (a missed instalment, or the merchant canceling): the money it
   * received pays the originals' principal, earliest due first; the rest goes back to each
   * original and its reminders resume; unpaid instalments are closed.
   */
  async function endEarly(tx: Tx, tenant: Tenant, plan: store.PlanRow, how: { status: 'defaulted' | 'canceled'; missed: number | null; businessNow: Date }): Promise<store.PlanRow> {
    const { taken, instalments } = await store.partsOf(tx, tenant.merchantId, [plan.id]);
    const t = taken.get(plan.id) ?? [];
    const inst = instalments.get(plan.id) ?? [];
    await hold.lockCases(tx, tenant.merchantId, t.map((x) => x.invoiceId));
    const rows = new Map((await ledger.lockInvoices(tx, tenant.merchantId, [...t.map((x) => x.invoiceId), ...inst.map((x) => x.invoiceId)])).map((r) => [r.id, r]));
    const received = inst.reduce((s, i) => s + settledOf(rows.get(i.invoiceId)!), 0);
    const { returned } = settleEarlyEnd(t.map((x) => ({ id: x.invoiceId, amount: x.amount })), received);
    const now = clock.now();
    const changes: { type: NewEvent['type']; row: InvoiceRow; previous: Record<string, unknown> }[] = [];
    for (const x of t) {
      const r = rows.get(x.invoiceId)!;
      const previous = previousOf(r);
      const back = returned.get(x.invoiceId)!;
      r.amountPlan -= back;
      r.amountRemaining += back;
      r.status = r.amountRemaining === 0 ? 'paid' : settledOf(r) + r.amountPlan > 0 ? 'partially_paid' : 'open';
      r.paidAt = r.amountRemaining === 0 ? (r.paidAt ?? now) : null;
      r.updatedAt = now;
      changes.push({ type: r.status === 'paid' ? 'invoice.paid' : 'invoice.updated', row: { ...r }, previous });
    }
    for (const i of inst) {
      const r = rows.get(i.invoiceId)!;
      if (!owing(r)) continue;
      const previous = previousOf(r);
      // The unpaid rest of the instalment went back to the originals (above): the instalment no longer asks for it.
      r.amountPlan += r.amountRemaining;
      r.amountRemaining = 0;
      r.status = 'void';
      r.voidedAt = now;
      r.updatedAt = now;
      changes.push({ type: 'invoice.voided', row: { ...r }, previous });
    }
    await ledger.writePlanChanges(tx, tenant.merchantId, changes.map((c) => c.row));
    await hold.resume(tx, tenant.merchantId, t.map((x) => x.invoiceId), how.businessNow);
    const ended: store.PlanRow = { ...plan, status: how.status, missedInstalment: how.missed, endedAt: how.businessNow, nextCheckAt: null, updatedAt: now };
    await store.updatePlan(tx, ended);
    const list = [...(await invoiceEvents(tx, tenant, changes))];
    if (how.missed !== null) list.push(await planEvent(tx, tenant, 'payment_plan.missed', ended));
    list.push(await planEvent(tx, tenant, how.status === 'defaulted' ? 'payment_plan.defaulted' : 'payment_plan.canceled', ended));
    await deps.events.recordMany(tx, tenant, list);
    return ended;
  }

  /** Every instalment paid: the originals are paid by the plan (a part a refund reopened meanwhile stays to pay). */
  async function complete(tx: Tx, tenant: Tenant, plan: store.PlanRow, rows: Map<string, InvoiceRow>, takenIds: string[], businessNow: Date): Promise<void> {
    const now = clock.now();
    const changes = takenIds.map((id) => {
      const r = rows.get(id)!;
      const previous = previousOf(r);
      r.status = r.amountRemaining === 0 ? 'paid' : 'partially_paid';
      r.paidAt = r.amountRemaining === 0 ? now : null;
      r.updatedAt = now;
      return { type: (r.status === 'paid' ? 'invoice.paid' : 'invoice.updated') as NewEvent['type'], row: { ...r }, previous };
    });
    await ledger.writePlanChanges(tx, tenant.merchantId, changes.map((c) => c.row));
    // The paused cases look once more and close (paid), or go on for a reopened part.
    await hold.resume(tx, tenant.merchantId, takenIds, businessNow);
    const done: store.PlanRow = { ...plan, status: 'completed', endedAt: businessNow, nextCheckAt: null, updatedAt: now };
    await store.updatePlan(tx, done);
    await deps.events.recordMany(tx, tenant, [...(await invoiceEvents(tx, tenant, changes)), await planEvent(tx, tenant, 'payment_plan.completed', done)]);
  }

  /**
   * The customer's credit pays the unpaid instalments, earliest first: an overpayment, or a payment
   * to an original invoice's old OCR reference while the plan runs (such an invoice asks for nothing
   * itself, so the payment became credit), lands where the plan asks for it.
   */
  async function payFromCredit(tx: Tx, tenant: Tenant, instalments: InvoiceRow[]): Promise<void> {
    const before = new Map(instalments.map((r) => [r.id, { status: r.status, amount_remaining: r.amountRemaining, amount_from_balance: r.amountFromBalance }]));
    await deps.credit.applyToInvoices(tx, tenant, instalments);
    const changed = instalments.filter((r) => r.amountRemaining !== before.get(r.id)!.amount_remaining);
    if (changed.length === 0) return;
    const now = clock.now();
    for (const r of changed) {
      r.updatedAt = now;
      if (r.status !== 'paid') r.status = 'partially_paid';
    }
    await ledger.writeSettlements(tx, tenant.merchantId, changed);
    await deps.events.recordMany(tx, tenant, await invoiceEvents(tx, tenant, changed.map((r) => ({ type: r.status === 'paid' ? 'invoice.paid' : 'invoice.partially_paid', row: { ...r }, previous: before.get(r.id)! }))));
  }

  /** One claimed plan: completed when all is paid, defaulted on a missed instalment, else its next check time set. */
  async function advance(tx: Tx, c: Awaited<ReturnType<typeof store.claimDue>>[number]): Promise<void> {
    const tenant: Tenant = { merchantId: c.merchantId, livemode: c.livemode };
    const plan = (await store.findPlan(tx, c.merchantId, c.id))!;
    const { taken, instalments } = await store.partsOf(tx, c.merchantId, [plan.id]);
    const takenIds = (taken.get(plan.id) ?? []).map((t) => t.invoiceId);
    const inst = instalments.get(plan.id) ?? [];
    await hold.lockCases(tx, c.merchantId, takenIds);
    const rows = new Map((await ledger.lockInvoices(tx, c.merchantId, [...takenIds, ...inst.map((i) => i.invoiceId)])).map((r) => [r.id, r]));
    await payFromCredit(tx, tenant, inst.map((i) => rows.get(i.invoiceId)!));
    // Paid, or settled by credit; a voided instalment is not paid (it counts as missed).
    const isSettled = (r: InvoiceRow) => r.amountRemaining === 0 && r.status !== 'void';
    if (inst.every((i) => isSettled(rows.get(i.invoiceId)!))) return complete(tx, tenant, plan, rows, takenIds, c.businessNow);
    const reminders = await hold.caseStates(tx, c.merchantId, inst.map((i) => i.invoiceId));
    let next: Date | null = null;
    for (const i of inst) {
      const r = rows.get(i.invoiceId)!;
      const m = missedAt({ settled: isSettled(r), claimable: owing(r), dueDate: i.dueDate as CalendarDate, timeZone: c.timeZone, reminders: reminders.get(i.invoiceId) ?? null }, c.businessNow);
      if (!m) continue;
      if (m.final && m.at <= c.businessNow) {
        await endEarly(tx, tenant, plan, { status: 'defaulted', missed: i.seq, businessNow: c.businessNow });
        return;
      }
      if (!next || m.at < next) next = m.at;
    }
    await store.updatePlan(tx, { ...plan, nextCheckAt: next });
  }

  async function batch(lane: store.Lane, seen: string[]): Promise<number> {
    return openTransaction(db, async (tx) => {
      const due = await store.claimDue(tx, { now: clock.now(), lane, limit: BATCH, seen });
      for (const c of due) await advance(tx, c);
      seen.push(...due.map((c) => c.id));
      return due.length;
    });
  }

  /** Batches until one finds nothing; each plan is looked at once per pass. */
  async function drain(lane: store.Lane): Promise<number> {
    const seen: string[] = [];
    let total = 0;
    for (let n = -1; n !== 0; total += n) n = await batch(lane, seen);
    return total;
  }

  async function get(tenant: Caller, id: string): Promise<PlanView> {
    const q = queryableFor(db, tenant);
    const plan = await store.findPlan(q, tenant.merchantId, id);
    if (!plan) throw new DomainError('not_found', `No such payment plan: ${id}`);
    return (await viewOf(q, tenant.merchantId, [plan]))[0]!;
  }

  return {
    get,

    async list(tenant: Caller, filter: store.PlanFilter, page: PageParams): Promise<Page<PlanView>> {
      const q = queryableFor(db, tenant);
      const p = toPage(await store.listPlans(q, tenant.merchantId, filter, page), page);
      return { data: await viewOf(q, tenant.merchantId, p.data), hasMore: p.hasMore };
    },

    async create(tenant: Caller, input: CreatePlanInput): Promise<PlanView> {
      return inTransaction(db, tenant, async (tx) => {
        const scope = { ...tenant, tx };
        const customer = await customerOf(scope, input.customer);
        const merchant = await deps.merchants.get(scope);
        const businessNow = await deps.time.nowForChange(scope, customer.testClockId);
        const today = toCalendarDate(businessNow, merchant.timeZone);
        // Cases before invoices (the sweep's order); the invoice locks make a second plan wait and then see in_payment_plan.
        const cases = await hold.lockCases(tx, tenant.merchantId, input.invoices);
        const rows = await ledger.lockInvoices(tx, tenant.merchantId, input.invoices);
        const draft = await compose(tx, tenant, { merchant, customer, ids: input.invoices, rows, cases, today, input, offer: false });
        const id = newId('paymentPlan');
        const numbers = rows.map((r) => r.number).join(', ');
        const n = draft.instalments.length;
        const issued = await deps.invoices.issueInstalments(tx, tenant, {
          customerId: customer.id,
          currency: draft.currency,
          instalments: draft.instalments.map((i) => ({
            amount: i.amount,
            dueDate: i.dueDate,
            description: customer.locale === 'sv' ? `Delbetalning ${i.seq} av ${n}, avbetalningsplan ${id} (faktura ${numbers})` : `Instalment ${i.seq} of ${n}, payment plan ${id} (invoice ${numbers})`,
          })),
        });
        // The originals are taken over: their remainder moves into the plan.
        const now = clock.now();
        const changes = rows.map((r) => {
          const previous = previousOf(r);
          const row: InvoiceRow = { ...r, amountPlan: r.amountPlan + r.amountRemaining, amountRemaining: 0, status: 'in_payment_plan', updatedAt: now };
          return { type: 'invoice.updated' as const, row, previous };
        });
        await ledger.writePlanChanges(tx, tenant.merchantId, changes.map((c) => c.row));
        await hold.pause(tx, tenant.merchantId, rows.map((r) => ({ id: r.id, customerId: r.customerId, policyId: customer.dunningPolicyId })), cases);
        await hold.openInstalments(tx, tenant.merchantId, issued.map((i) => ({ id: i.id, customerId: i.customerId })), businessNow);
        const firstCheck = missedAt({ settled: false, claimable: true, dueDate: draft.instalments[0]!.dueDate, timeZone: merchant.timeZone, reminders: null }, businessNow)!.at;
        const plan: store.PlanRow = {
          merchantId: tenant.merchantId,
          id,
          customerId: customer.id,
          status: 'active',
          currency: draft.currency,
          interval: draft.interval,
          principal: draft.principal,
          interest: draft.interest,
          fee: draft.fee,
          total: draft.total,
          feeAgreedAt: draft.fee > 0 && input.fee_agreement ? new Date(input.fee_agreement.agreed_at) : null,
          feeTermsVersion: draft.fee > 0 && input.fee_agreement ? input.fee_agreement.terms_version : null,
          nextCheckAt: firstCheck,
          missedInstalment: null,
          endedAt: null,
          metadata: input.metadata ?? {},
          createdAt: now,
          updatedAt: now,
        };
        await store.insertPlan(
          tx,
          plan,
          draft.taken.map((t, i) => ({ merchantId: tenant.merchantId, planId: id, invoiceId: t.invoiceId, position: i + 1, amount: t.amount, interest: t.interest })),
          draft.instalments.map((i, k) => ({ merchantId: tenant.merchantId, planId: id, seq: i.seq, invoiceId: issued[k]!.id, amount: i.amount, dueDate: i.dueDate })),
        );
        const view = (await viewOf(tx, tenant.merchantId, [plan]))[0]!;
        await deps.events.recordMany(tx, tenant, [...(await invoiceEvents(tx, tenant, changes)), { type: 'payment_plan.created', objectId: id, object: toPlanResource(view, tenant.livemode) }]);
        return view;
      });
    },

    /** What a plan over one invoice would look like; reads only (nothing is locked, opened or written). */
    async offer(tenant: Caller, invoiceId: string, input: OfferInput): Promise<PlanDraft> {
      const q = queryableFor(db, tenant);
      const rows = await ledger.findInvoices(q, tenant.merchantId, [invoiceId]);
      if (rows.length === 0) throw new DomainError('not_found', `No such invoice: ${invoiceId}`);
      const scope = { ...tenant };
      const customer = (await deps.customers.find(scope, rows[0]!.customerId))!;
      const merchant = await deps.merchants.get(scope);
      const today = toCalendarDate(await deps.time.nowFor(scope, customer.testClockId), merchant.timeZone);
      const cases = await hold.caseStates(q, tenant.merchantId, [invoiceId]);
      return compose(q, tenant, { merchant, customer, ids: [invoiceId], rows, cases, today, input, offer: true });
    },

    /** The merchant ends a running plan: as on a default, the rest goes back to the invoices and their reminders. */
    async cancel(tenant: Caller, id: string): Promise<PlanView> {
      return inTransaction(db, tenant, async (tx) => {
        const plan = await store.findPlan(tx, tenant.merchantId, id, { forUpdate: true });
        if (!plan) throw new DomainError('not_found', `No such payment plan: ${id}`);
        if (plan.status !== 'active') throw new DomainError('invalid_state', `The payment plan has ended (${plan.status})`);
        const customer = (await deps.customers.find({ ...tenant, tx }, plan.customerId))!;
        const businessNow = await deps.time.nowForChange({ ...tenant, tx }, customer.testClockId);
        const ended = await endEarly(tx, tenant, plan, { status: 'canceled', missed: null, businessNow });
        return (await viewOf(tx, tenant.merchantId, [ended]))[0]!;
      });
    },

    /** The schedule's pass (real time and ready test clocks), with the dunning sweep. */
    sweep: () => drain({ kind: 'sweep' }),
    earliestDueForClock: (tx: Tx, merchantId: string, clockId: string, until: Date, after?: Date) => store.earliestDueForClock(tx, merchantId, clockId, until, after),
    workClock: (merchantId: string, clockId: string) => drain({ kind: 'clock', merchantId, clockId }),
  };
}
export type PaymentPlanService = ReturnType<typeof createPaymentPlanService>;
