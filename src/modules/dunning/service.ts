// Friendly dunning: every owing invoice with a due date gets a case in its customer's policy; the
// sweep (a pg-boss schedule, a payment file read, a test clock's catch-up) works the cases that
// are due, set-based in batches. Each batch is one transaction: it locks its cases (skipping those
// another sweep holds) and the customers' dunning locks, re-checks each invoice, and for each
// customer and step records one message covering all their invoices at that step (the messages
// module's unique key per invoice and step makes it exactly once), or hands the claim over.
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/client.ts';
import { inTransaction, openTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalidField } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import { afterSent, decide, type Facts, type Policy } from '../../domain/dunning-schedule.ts';
import type { ReferenceRate } from '../../domain/late-interest.ts';
import { interestOn } from './interest.ts';
import { reminderFee } from '../../domain/reminder-fee.ts';
import type { DunningStep } from '../../domain/dunning-policy.ts';
import type { EventService, NewEvent } from '../events/service.ts';
import type { InvoiceService } from '../invoices/service.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { MessageService, NewReminderMessage } from '../messages/service.ts';
import type { TemplateService } from '../templates/service.ts';
import { buildReminderContext } from '../templates/context-build.ts';
import { renderReminder } from '../templates/render.ts';
import type { DunningPolicyService } from './policies.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import type { Assignment, ExperimentService } from '../experiments/service.ts';
import * as store from './store.ts';

const BATCH = 500;
// Cases opened per statement: one scan of the owing invoices each.
const ADOPT_BATCH = 20_000;

type Merchant = Awaited<ReturnType<MerchantService['get']>>;
type Group = { key: string; customerId: string; step: DunningStep; stepIndex: number; cases: store.DueCase[]; arm: Assignment | undefined };

export type CaseView = {
  invoiceId: string;
  policyId: string;
  status: store.CaseRow['status'];
  nextStep: DunningStep | null;
  nextActionAt: Date | null;
  feeAmount: number;
  interest: { amount: number; rateBp: number | null; asOf: string } | null;
  escalationStopped: boolean;
  escalationPostponedUntil: Date | null;
  disputedAt: Date | null;
  disputeReason: string | null;
  closedReason: string | null;
  escalatedAt: Date | null;
  messages: Awaited<ReturnType<typeof store.messagesOfInvoice>>;
};

export function createDunningService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'recordMany'>;
  policies: Pick<DunningPolicyService, 'defaultFor' | 'findMany' | 'find'>;
  merchants: Pick<MerchantService, 'get'>;
  invoices: Pick<InvoiceService, 'markInCollection' | 'get'>;
  messages: Pick<MessageService, 'enqueueMany'>;
  templates: Pick<TemplateService, 'resolve'>;
  // The merchant's tone or policy experiment, if one is in force: the arm of each customer.
  experiments: Pick<ExperimentService, 'inForce'>;
  // Business time of a customer (their test clock's, else the real clock's): the case view and
  // previews show interest and fees as of the customer's today.
  time: Pick<TestClockTime, 'nowFor'>;
  referenceRates: ReferenceRate[];
  log?: Pick<Logger, 'warn' | 'error'> | undefined;
}) {
  const { db, clock } = deps;

  const policyOf = (row: { steps: DunningStep[]; rules: Policy['rules'] }): Policy => ({ steps: row.steps, rules: row.rules });

  function interestFor(policy: Policy, due: { dueDate: string; amountRemaining: number }, asOf: CalendarDate): { amount: number; rateBp: number | null } {
    return interestOn(policy.rules, due, asOf, deps.referenceRates, deps.log);
  }

  function factsOf(d: store.DueCase): Facts {
    const inv = d.invoice;
    const owing = (inv.status === 'open' || inv.status === 'partially_paid') && inv.amountRemaining > 0;
    const automatic = inv.paymentMethodType === 'card' || (inv.paymentMethodType === 'autogiro' && inv.paymentMethodStatus === 'active');
    return {
      now: d.businessNow,
      timeZone: d.timeZone,
      dueDate: inv.dueDate as CalendarDate,
      invoiceOwing: owing,
      closedReason: inv.amountRemaining <= 0 && inv.status !== 'paid' && inv.status !== 'void' ? (inv.amountCredited > 0 ? 'credited' : inv.status) : inv.status,
      automaticPayment: automatic,
      kivra: inv.deliveryType === 'kivra',
      collectionInProgress: d.collectionInProgress,
      paymentsReadOnDueDate: d.paymentsReadOnDueDate,
      customerLastMessageAt: d.customerLastMessageAt,
      escalationStopped: d.c.escalationStopped || d.customer.escalationStopped,
      escalationPostponedUntil: latest(d.c.escalationPostponedUntil, d.customer.escalationPostponedUntil),
    };
  }

  type Prepared = { g: Group; policy: Policy; input: NewReminderMessage; perInvoice: { d: store.DueCase; fee: number }[] };
  type TemplateCache = Map<string, Promise<Awaited<ReturnType<TemplateService['resolve']>>>>;

  /** One customer's message at one step, covering each of their invoices at it, rendered and ready to enqueue. */
  async function prepare(tx: Tx, merchant: Merchant, policy: Policy, policyId: string, g: Group, templates: TemplateCache, planInstalment: boolean): Promise<Prepared> {
    const first = g.cases[0]!;
    const now = first.businessNow;
    const today = toCalendarDate(now, first.timeZone);
    const locale = first.invoice.locale;
    const perInvoice = g.cases.map((d) => {
      const fee = reminderFee({
        stepFee: g.step.fee,
        policyFee: policy.rules.reminder_fee,
        agreedAt: d.customer.reminderFeeAgreedAt,
        debtAroseAt: d.invoice.finalizedAt ?? d.c.createdAt,
        alreadyCharged: d.c.feeAmount,
        customerType: d.customer.type,
      }).amount;
      return { d, fee, interest: interestFor(policy, d.invoice, today) };
    });
    const feeOre = perInvoice.reduce((s, x) => s + x.fee, 0);
    const interestOre = perInvoice.reduce((s, x) => s + x.interest.amount, 0);
    const rateBp = perInvoice.find((x) => x.interest.rateBp !== null)?.interest.rateBp ?? null;
    // One lookup per template, locale and tone per batch, not per message.
    const key = `${merchant.id}|${g.step.template}|${locale}|${g.step.tone}`;
    if (!templates.has(key)) templates.set(key, deps.templates.resolve(tx, merchant.id, g.step.template!, locale, g.step.tone));
    const template = await templates.get(key)!;
    const ctx = buildReminderContext({
      locale,
      tone: g.step.tone,
      step: { key: g.step.key, kind: g.step.template! },
      customer: { name: first.customer.name },
      merchant,
      invoices: g.cases.map((d) => ({ id: d.c.invoiceId, number: d.invoice.number ?? d.c.invoiceId, issueDate: d.invoice.issueDate ?? d.invoice.dueDate, dueDate: d.invoice.dueDate, amountRemaining: d.invoice.amountRemaining, ocrReference: d.invoice.ocrReference, currency: d.invoice.currency })),
      feeOre,
      interestOre,
      interestRateBp: interestOre > 0 ? rateBp : null,
      paymentMethod: paymentMethodOf(first.invoice.paymentMethodType),
      payLinkPattern: null,
      // An instalment of a payment plan is not offered another plan.
      helpPaymentPlan: !planInstalment,
    });
    const input: NewReminderMessage = {
      merchantId: merchant.id,
      customerId: g.customerId,
      policyId,
      step: { key: g.step.key, kind: g.step.kind, tone: g.step.tone },
      locale,
      delivery: (first.invoice.deliveryType ?? 'email_pdf') as NewReminderMessage['delivery'],
      toAddress: first.customer.email,
      rendered: renderReminder(template.parts, ctx),
      attachPdf: g.step.attach_pdf,
      currency: first.invoice.currency,
      amountDue: g.cases.reduce((s, d) => s + d.invoice.amountRemaining, 0),
      feeAmount: feeOre,
      interestAmount: interestOre,
      businessTime: now,
      invoices: g.cases.map((d) => ({ invoiceId: d.c.invoiceId, amountRemaining: d.invoice.amountRemaining })),
      fallbackChannels: policy.rules.fallback_channels,
      experiment: g.arm?.running ? { id: g.arm.experimentId, arm: g.arm.arm.key } : null,
    };
    return { g, policy, input, perInvoice };
  }

  /** The cases after their message was enqueued (or found already sent: a crash after sending, a second sweep). */
  function advance(p: Prepared, message: { invoices: { invoiceId: string }[] } | null, changes: Map<string, store.CaseChange>): void {
    const covered = new Set(message?.invoices.map((i) => i.invoiceId) ?? []);
    for (const x of p.perInvoice) {
      const now = x.d.businessNow;
      const next = afterSent(p.policy, p.g.stepIndex, x.d.c, now, x.d.invoice.dueDate as CalendarDate, x.d.timeZone);
      const charged = covered.has(x.d.c.invoiceId) && x.fee > 0;
      changes.set(x.d.c.invoiceId, {
        ...changeOf(x.d.c),
        nextStep: next.nextStep,
        shiftSeconds: next.shiftSeconds,
        nextActionAt: next.nextActionAt,
        lastSentAt: now,
        feeAmount: x.d.c.feeAmount + (charged ? x.fee : 0),
        feeChargedAt: charged ? now : x.d.c.feeChargedAt,
        ...(next.nextActionAt === null ? { status: 'closed' as const, closedReason: 'policy_completed' } : {}),
      });
    }
  }

  type Recorded = { merchantId: string; livemode: boolean; event: NewEvent };

  /** Hands the claims to the merchant's collection agency: the invoices become in_collection and reminders stop. */
  async function escalate(tx: Tx, merchant: Merchant, due: { d: store.DueCase; policy: Policy }[], changes: Map<string, store.CaseChange>, list: Recorded[]): Promise<void> {
    if (due.length === 0) return;
    const livemode = due[0]!.d.livemode;
    const moved = new Map((await deps.invoices.markInCollection(tx, { merchantId: merchant.id, livemode, tx }, due.map((x) => x.d.c.invoiceId))).map((i) => [i.id, i]));
    const debtors = await store.customersFacts(tx, merchant.id, due.map((x) => x.d.c.customerId));
    const sent = await store.messagesOfInvoices(tx, merchant.id, [...moved.keys()]);
    for (const { d, policy } of due) {
      const inv = moved.get(d.c.invoiceId);
      if (!inv) {
        changes.set(d.c.invoiceId, { ...changeOf(d.c), status: 'closed', nextActionAt: null, closedReason: d.invoice.status });
        continue;
      }
      const now = d.businessNow;
      const today = toCalendarDate(now, d.timeZone);
      const interest = interestFor(policy, d.invoice, today);
      const debtor = debtors.get(d.c.customerId)!;
      list.push({
        merchantId: merchant.id,
        livemode,
        event: {
          type: 'collection.escalated',
          objectId: d.c.invoiceId,
          object: {
            id: d.c.invoiceId,
            object: 'collection_escalation',
            invoice: d.c.invoiceId,
            agency: merchant.collectionAgency ?? null,
            escalated_at: now.toISOString(),
            // Everything an agency needs to identify the debtor, national id in full: this goes to
            // the merchant's own endpoint, which passes it to the agency it chose.
            debtor: {
              id: d.c.customerId,
              external_id: debtor.externalId,
              name: debtor.name,
              type: debtor.type,
              national_id: debtor.nationalId,
              national_id_kind: debtor.nationalIdKind,
              email: debtor.email,
              phone: debtor.phone,
              address: debtor.addressLine1
                ? { line1: debtor.addressLine1, line2: debtor.addressLine2, postal_code: debtor.postalCode, city: debtor.city, country: debtor.country }
                : null,
            },
            claim: {
              currency: d.invoice.currency,
              invoice_number: d.invoice.number,
              ocr_reference: d.invoice.ocrReference,
              issue_date: d.invoice.issueDate,
              due_date: d.invoice.dueDate,
              invoice_total: inv.total,
              amount_paid: inv.amountPaid,
              amount_credited: inv.amountCredited,
              principal: d.invoice.amountRemaining,
              reminder_fee: d.c.feeAmount,
              interest: interest.amount,
              interest_rate_bp: interest.rateBp,
              interest_from: d.invoice.dueDate,
              interest_to: today,
              total: d.invoice.amountRemaining + d.c.feeAmount + interest.amount,
            },
            messages: (sent.get(d.c.invoiceId) ?? []).map((m) => ({ id: m.id, step: m.step_key, channel: m.channel, status: m.status, to: m.to_address, sent_at: new Date(m.business_time).toISOString() })),
          },
        },
      });
      changes.set(d.c.invoiceId, { ...changeOf(d.c), status: 'escalated', nextActionAt: null, escalatedAt: now, nextStep: d.c.nextStep + 1 });
    }
  }

  /** One batch in one transaction; returns how many cases it moved. */
  async function batch(lane: store.Lane): Promise<number> {
    return openTransaction(db, async (tx) => {
      const wall = clock.now();
      const due = await store.claimDue(tx, { now: wall, lane, limit: BATCH });
      if (due.length === 0) return 0;
      const changes = new Map<string, store.CaseChange>();
      const list: Recorded[] = [];
      const prepared: Prepared[] = [];
      const templates: TemplateCache = new Map();
      const byMerchant = groupBy(due, (d) => d.c.merchantId);
      for (const [merchantId, cases] of byMerchant) {
        // Customers without a policy of their own follow the merchant's experiment: a case that has
        // not started yet takes the arm's policy, and every message the arm's tone.
        const armOf = await deps.experiments.inForce(tx, merchantId);
        const arms = new Map<string, Assignment>();
        for (const d of armOf ? cases : []) {
          if (d.customer.dunningPolicyId !== null) continue;
          const arm = arms.get(d.c.customerId) ?? armOf!(d.c.customerId);
          arms.set(d.c.customerId, arm);
          if (arm.arm.policy && d.c.nextStep === 0 && d.c.lastSentAt === null) d.c = { ...d.c, policyId: arm.arm.policy };
        }
        const policies = new Map((await deps.policies.findMany(tx, merchantId, [...new Set(cases.map((d) => d.c.policyId))])).map((p) => [p.id, p]));
        let merchant: Merchant | undefined;
        const escalations: { d: store.DueCase; policy: Policy }[] = [];
        const groups = new Map<string, Group & { policyId: string }>();
        for (const d of cases) {
          const row = policies.get(d.c.policyId);
          if (!row) {
            changes.set(d.c.invoiceId, { ...changeOf(d.c), status: 'closed', nextActionAt: null, closedReason: 'policy_missing' });
            continue;
          }
          const policy = policyOf(row);
          const f = factsOf(d);
          const decision = decide(policy, d.c, f);
          switch (decision.action) {
            case 'close':
              changes.set(d.c.invoiceId, { ...changeOf(d.c), status: 'closed', nextActionAt: null, closedReason: decision.reason });
              break;
            case 'wait':
              changes.set(d.c.invoiceId, { ...changeOf(d.c), nextActionAt: decision.until });
              break;
            case 'skip':
              changes.set(d.c.invoiceId, { ...changeOf(d.c), nextStep: decision.toStep, nextActionAt: decision.nextActionAt ?? d.businessNow });
              break;
            case 'escalate':
              escalations.push({ d, policy });
              break;
            case 'send': {
              const arm = arms.get(d.c.customerId);
              const own = policy.steps[decision.step]!;
              const step = arm?.arm.tone ? { ...own, tone: arm.arm.tone } : own;
              const key = `${d.c.customerId}|${step.key}|${d.c.policyId}`;
              const g = groups.get(key) ?? { key, customerId: d.c.customerId, step, stepIndex: decision.step, cases: [], policyId: d.c.policyId, arm };
              g.cases.push(d);
              groups.set(key, g);
              break;
            }
          }
        }
        if (escalations.length > 0) {
          merchant ??= await deps.merchants.get({ merchantId, tx });
          await escalate(tx, merchant, escalations, changes, list);
        }
        for (const g of groups.values()) {
          merchant ??= await deps.merchants.get({ merchantId, tx });
          const row = policies.get(g.policyId)!;
          prepared.push(await prepare(tx, merchant, policyOf(row), g.policyId, g, templates, row.purpose === 'payment_plan'));
        }
      }
      const sent = await deps.messages.enqueueMany(tx, prepared.map((p) => p.input));
      prepared.forEach((p, i) => advance(p, sent[i] ?? null, changes));
      await store.writeCases(tx, [...changes.values()], wall);
      for (const [merchantId, evs] of groupBy(list, (e) => e.merchantId)) {
        await deps.events.recordMany(tx, { merchantId, livemode: evs[0]!.livemode }, evs.map((e) => e.event));
      }
      return changes.size;
    });
  }

  /** Opens the cases of owing invoices that have none (one scan per pass, not per batch). */
  async function adoptAll(lane: store.Lane): Promise<number> {
    return openTransaction(db, async (tx) => {
      for (const m of await store.merchantsWithoutDefault(tx, lane)) await deps.policies.defaultFor(tx, m);
      let total = 0;
      for (let n = -1; n !== 0; total += n) n = await store.adopt(tx, { now: clock.now(), lane, limit: ADOPT_BATCH });
      return total;
    });
  }

  /** Adopts what is new, then works batches until one moves nothing. */
  async function drain(lane: store.Lane): Promise<number> {
    let total = await adoptAll(lane);
    for (;;) {
      const n = await batch(lane);
      total += n;
      if (n === 0) return total;
    }
  }

  /** The invoice's case; one not opened by a sweep yet is opened now (persist) or shown as it would open (a read). */
  async function loadCase(tenant: Caller, invoiceId: string, forUpdate: boolean, tx: Tx, persist = true): Promise<store.CaseRow> {
    const inv = await deps.invoices.get({ ...tenant, tx }, invoiceId);
    const found = await store.findCase(tx, tenant.merchantId, invoiceId, { forUpdate });
    if (found) return found;
    if (!inv.dueDate || !['open', 'partially_paid'].includes(inv.status)) {
      throw new DomainError('invalid_state', `A ${inv.status} invoice${inv.dueDate ? '' : ' without a due date'} is not in the reminder process`);
    }
    // Not adopted by a sweep yet: open its case now, due at once.
    const customer = await store.customerFacts(tx, tenant.merchantId, inv.customerId);
    const policyId = customer?.dunningPolicyId ?? (await deps.policies.defaultFor(tx, tenant.merchantId)).id;
    const now = clock.now();
    const row: store.CaseRow = {
      merchantId: tenant.merchantId, invoiceId, customerId: inv.customerId, policyId, status: 'active', nextStep: 0, nextActionAt: now, shiftSeconds: 0, lastSentAt: null,
      escalationStopped: false, escalationPostponedUntil: null, disputedAt: null, disputeReason: null, feeAmount: 0, feeChargedAt: null, closedReason: null, escalatedAt: null, createdAt: now, updatedAt: now,
    };
    if (!persist) return row;
    await store.insertCase(tx, row);
    return (await store.findCase(tx, tenant.merchantId, invoiceId, { forUpdate }))!;
  }

  async function view(tenant: Caller, tx: Tx, c: store.CaseRow): Promise<CaseView> {
    const policy = await deps.policies.find(tx, tenant.merchantId, c.policyId);
    const inv = await deps.invoices.get({ ...tenant, tx }, c.invoiceId);
    const merchant = await deps.merchants.get({ ...tenant, tx });
    const customer = await store.customerFacts(tx, tenant.merchantId, c.customerId);
    const today = toCalendarDate(await deps.time.nowFor({ ...tenant, tx }, customer?.testClockId ?? null), merchant.timeZone);
    const owing = inv.dueDate && inv.amountRemaining > 0 && ['open', 'partially_paid', 'in_collection'].includes(inv.status);
    const interest = policy && owing ? interestFor(policyOf(policy), { dueDate: inv.dueDate!, amountRemaining: inv.amountRemaining }, today) : null;
    return {
      invoiceId: c.invoiceId,
      policyId: c.policyId,
      status: c.status,
      // A paused case (the invoice is in a payment plan) shows the step it goes on from if the plan defaults.
      nextStep: c.status === 'active' || c.status === 'paused' ? (policy?.steps[c.nextStep] ?? null) : null,
      nextActionAt: c.status === 'active' ? c.nextActionAt : null,
      feeAmount: c.feeAmount,
      interest: interest ? { amount: interest.amount, rateBp: interest.rateBp, asOf: today } : null,
      escalationStopped: c.escalationStopped,
      escalationPostponedUntil: c.escalationPostponedUntil,
      disputedAt: c.disputedAt,
      disputeReason: c.disputeReason,
      closedReason: c.closedReason,
      escalatedAt: c.escalatedAt,
      messages: await store.messagesOfInvoice(tx, tenant.merchantId, c.invoiceId),
    };
  }

  return {
    /** The schedule's pass: real time and ready test clocks. */
    sweep: () => drain({ kind: 'sweep' }),

    /** A clock's catch-up: the earliest moment one of its cases falls due up to `until` (new invoices adopted first). */
    async earliestDueForClock(tx: Tx, merchantId: string, clockId: string, until: Date, after?: Date): Promise<Date | null> {
      for (const m of await store.merchantsWithoutDefault(tx, { kind: 'clock', merchantId, clockId })) await deps.policies.defaultFor(tx, m);
      while ((await store.adopt(tx, { now: clock.now(), lane: { kind: 'clock', merchantId, clockId }, limit: 10_000 })) > 0);
      return store.earliestDueForClock(tx, merchantId, clockId, until, after);
    },

    /** A clock's catch-up: works its cases due at its current step, as of that step. */
    workClock: (merchantId: string, clockId: string) => drain({ kind: 'clock', merchantId, clockId }),

    /** A payment file was read: the due-date reminders of today's invoices need not wait for the cut-off. */
    paymentsRead: (tx: Tx, merchantId: string) => store.notePaymentsRead(tx, merchantId, clock.now()),

    async caseOf(tenant: Caller, invoiceId: string): Promise<CaseView> {
      return inTransaction(db, tenant, async (tx) => view(tenant, tx, await loadCase(tenant, invoiceId, false, tx, false)));
    },

    /** A dispute pauses the invoice's reminders (and escalation) until it is resolved. */
    async dispute(tenant: Caller, invoiceId: string, reason: string | undefined): Promise<CaseView> {
      return inTransaction(db, tenant, async (tx) => {
        const c = await loadCase(tenant, invoiceId, true, tx);
        if (c.status === 'escalated') throw new DomainError('invalid_state', 'The claim is with the collection agency; tell the agency about the dispute');
        if (c.status === 'closed') throw new DomainError('invalid_state', `The invoice is no longer in the reminder process (${c.closedReason})`);
        if (c.status === 'paused') throw new DomainError('invalid_state', 'The invoice is in a payment plan; its reminders are paused already');
        const now = clock.now();
        const next = { ...c, status: 'disputed' as const, disputedAt: c.disputedAt ?? now, disputeReason: reason ?? c.disputeReason, updatedAt: now };
        await store.updateCase(tx, next);
        return view(tenant, tx, next);
      });
    },

    /** Resolved: the reminders go on from the step they stopped at, later steps moved by the pause. */
    async resolveDispute(tenant: Caller, invoiceId: string): Promise<CaseView> {
      return inTransaction(db, tenant, async (tx) => {
        const c = await loadCase(tenant, invoiceId, true, tx);
        if (c.status !== 'disputed') throw new DomainError('invalid_state', 'The invoice is not disputed');
        const now = clock.now();
        const next = { ...c, status: 'active' as const, nextActionAt: now, disputedAt: null, updatedAt: now };
        await store.updateCase(tx, next);
        return view(tenant, tx, next);
      });
    },

    /** Stops or postpones escalation of one invoice (null postponed_until: no postponement). */
    async setEscalation(tenant: Caller, invoiceId: string, input: { stopped?: boolean | undefined; postponed_until?: string | null | undefined }): Promise<CaseView> {
      return inTransaction(db, tenant, async (tx) => {
        const c = await loadCase(tenant, invoiceId, true, tx);
        if (c.status === 'escalated') throw new DomainError('invalid_state', 'The claim was already handed to the collection agency');
        const now = clock.now();
        const next = { ...c, updatedAt: now };
        if (input.stopped !== undefined) next.escalationStopped = input.stopped;
        if (input.postponed_until !== undefined) {
          const until = input.postponed_until === null ? null : new Date(input.postponed_until);
          if (until && Number.isNaN(until.getTime())) throw invalidField('postponed_until', 'is not a timestamp');
          next.escalationPostponedUntil = until;
        }
        // Look again now: a held escalation waits with no time set.
        if (next.status === 'active') next.nextActionAt = now;
        await store.updateCase(tx, next);
        return view(tenant, tx, next);
      });
    },

    /** Renders a step for an invoice as it would go out now, without sending or recording anything. */
    async preview(tenant: Caller, invoiceId: string, stepKey: string | undefined): Promise<{ step: DunningStep; subject: string; text: string; html: string; fee: number; interest: number; to: string | null; delivery: string }> {
      return inTransaction(db, tenant, async (tx) => {
        const inv = await deps.invoices.get({ ...tenant, tx }, invoiceId);
        if (!inv.dueDate || !inv.number) throw new DomainError('invalid_state', 'Only a finalized invoice with a due date has reminders');
        const found = await store.findCase(tx, tenant.merchantId, invoiceId);
        const customer = (await store.customerFacts(tx, tenant.merchantId, inv.customerId))!;
        // As the sweep would send it: a customer without a policy of their own follows the
        // experiment in force (its arm's policy until the first step goes out, its tone always).
        const armOf = customer.dunningPolicyId === null ? await deps.experiments.inForce(tx, tenant.merchantId) : null;
        const arm = armOf?.(inv.customerId).arm;
        const notStarted = !found || (found.nextStep === 0 && found.lastSentAt === null);
        const policyRow =
          arm?.policy && notStarted
            ? await deps.policies.find(tx, tenant.merchantId, arm.policy)
            : found
              ? await deps.policies.find(tx, tenant.merchantId, found.policyId)
              : customer.dunningPolicyId
                ? await deps.policies.find(tx, tenant.merchantId, customer.dunningPolicyId)
                : await deps.policies.defaultFor(tx, tenant.merchantId);
        if (!policyRow) throw new DomainError('not_found', 'The invoice’s dunning policy no longer exists');
        const policy = policyOf(policyRow);
        const messageSteps = policy.steps.filter((s) => s.template !== null);
        const own = stepKey ? messageSteps.find((s) => s.key === stepKey) : (policy.steps[found?.nextStep ?? 0]?.template ? policy.steps[found?.nextStep ?? 0] : messageSteps[0]);
        const step = own && arm?.tone ? { ...own, tone: arm.tone } : own;
        if (!step) throw invalidField('step', `is not a message step of policy ${policyRow.id} (${messageSteps.map((s) => s.key).join(', ')})`);
        const merchant = await deps.merchants.get({ ...tenant, tx });
        const today = toCalendarDate(await deps.time.nowFor({ ...tenant, tx }, customer.testClockId), merchant.timeZone);
        const fee = reminderFee({ stepFee: step.fee, policyFee: policy.rules.reminder_fee, agreedAt: customer.reminderFeeAgreedAt, debtAroseAt: inv.finalizedAt ?? inv.createdAt, alreadyCharged: found?.feeAmount ?? 0, customerType: customer.type }).amount;
        const interest = interestFor(policy, { dueDate: inv.dueDate, amountRemaining: inv.amountRemaining }, today);
        const locale = inv.locale;
        const template = await deps.templates.resolve(tx, tenant.merchantId, step.template!, locale, step.tone);
        const ctx = buildReminderContext({
          locale,
          tone: step.tone,
          step: { key: step.key, kind: step.template! },
          customer: { name: customer.name },
          merchant,
          invoices: [{ id: inv.id, number: inv.number, issueDate: inv.issueDate ?? inv.dueDate, dueDate: inv.dueDate, amountRemaining: inv.amountRemaining, ocrReference: inv.ocrReference, currency: inv.currency }],
          feeOre: fee,
          interestOre: interest.amount,
          interestRateBp: interest.amount > 0 ? interest.rateBp : null,
          paymentMethod: paymentMethodOf(inv.buyer?.paymentMethod?.type ?? customer.paymentMethod?.type ?? null),
          payLinkPattern: null,
          helpPaymentPlan: policyRow.purpose !== 'payment_plan',
        });
        const r = renderReminder(template.parts, ctx);
        return { step, ...r, fee, interest: interest.amount, to: customer.email, delivery: inv.buyer?.delivery?.type ?? customer.delivery?.type ?? 'email_pdf' };
      });
    },

  };
}
export type DunningService = ReturnType<typeof createDunningService>;

function changeOf(c: store.CaseRow): store.CaseChange {
  return {
    merchantId: c.merchantId,
    invoiceId: c.invoiceId,
    policyId: c.policyId,
    status: c.status,
    nextStep: c.nextStep,
    nextActionAt: c.nextActionAt,
    shiftSeconds: c.shiftSeconds,
    lastSentAt: c.lastSentAt,
    feeAmount: c.feeAmount,
    feeChargedAt: c.feeChargedAt,
    closedReason: c.closedReason,
    escalatedAt: c.escalatedAt,
  };
}

function paymentMethodOf(type: string | null): 'bankgiro' | 'swish' | 'autogiro' | 'card' | 'e_invoice' {
  return type === 'swish' || type === 'autogiro' || type === 'card' || type === 'e_invoice' ? type : 'bankgiro';
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

export type { Tenant };
