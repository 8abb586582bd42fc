// Payment use cases: record (one through the API, or a batch from a bank file in one transaction),
// match, assign by hand, refund; and the customer credit they leave. The batch is the one path:
// the API's single payment and the invoice `pay` shorthand are batches of one.
//
// Matching, in order: the invoice named in the request; the OCR reference (or its RF form) of a
// finalised invoice; the customer named in the request, or identified by the payer's national id,
// with exactly one payable invoice of exactly that amount. A payment whose customer is known but
// that pays more than its invoice asks (or no invoice) leaves the rest as the customer's credit;
// one whose customer is not known waits in the unmatched queue.
//
// Locks, always in this order: payments (assign, refund) → invoices (id order) → customers' balances
// (id order) → number series (finalisation only). Nothing is matched twice: an invoice takes only
// what it still asks for under its row lock, and an assignment needs an unapplied amount under the
// payment's row lock.
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalid, invalidField } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { parseCalendarDate, toCalendarDate } from '../../domain/calendar-date.ts';
import { parseNationalId } from '../../domain/national-id.ts';
import { rfBody } from '../../domain/rf-reference.ts';
import { allocatePayment, settlementState, splitRefund } from '../../domain/payment-allocation.ts';
import type { EventService, NewEvent } from '../events/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import type { InvoiceLedger } from '../invoices/ledger.ts';
import type { InvoiceRow } from '../invoices/compose.ts';
import { toInvoiceResource } from '../invoices/contract.ts';
import type { CreditBook, CreditLedger } from './credit.ts';
import {
  toPaymentResource,
  type AssignPaymentInput,
  type CreatePaymentInput,
  type CreateRefundInput,
  type PaymentRow,
  type RefundRow,
} from './contract.ts';
import type { Payer, PAYMENT_METHODS } from './schema.ts';
import * as store from './store.ts';

export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** One payment to record: from the API, the `pay` shorthand, or a bank-file transaction. */
export type PaymentInput = {
  amount: number; // öre, > 0
  currency: string;
  date: string; // YYYY-MM-DD, when the money arrived
  method: PaymentMethod;
  reference?: string | null | undefined;
  payer?: Partial<Payer> | undefined; // nationalId as given; normalised here
  invoiceId?: string | null | undefined;
  customerId?: string | null | undefined;
  /** The bank's key of the transaction: a second batch with the same key records nothing. */
  externalKey?: string | null | undefined;
  metadata?: Record<string, string> | undefined;
};
/** Per input, in order: the payment (as recorded now, or as recorded before under the same key). */
export type PaymentResult = { payment: PaymentRow; duplicate: boolean };

// Written-off and escalated invoices still take money: a debtor may pay the merchant directly.
const PAYABLE: InvoiceRow['status'][] = ['open', 'partially_paid', 'uncollectible', 'in_collection'];
// An invoice in a payment plan stays in it (a refund that reopens part of it waits for the plan's end).
const keepsStatusWhenPartlyPaid = (s: InvoiceRow['status']) => s === 'uncollectible' || s === 'in_collection' || s === 'in_payment_plan';
const EARLIEST_PAYMENT_DATE = '1970-01-01';

/** An invoice reference in whatever form the payer wrote it: OCR digits, or RF + check digits + the OCR. */
export function parseReference(ref: string | null | undefined): { ocr: string; via: 'ocr' | 'rf' } | null {
  if (!ref) return null;
  const s = ref.replace(/\s+/g, '');
  if (/^[0-9]{2,25}$/.test(s)) return { ocr: s, via: 'ocr' };
  const body = rfBody(s);
  return body && /^[0-9]{2,21}$/.test(body) ? { ocr: body, via: 'rf' } : null;
}

function normaliseNationalId(raw: string | null | undefined, today: Date): string | null {
  if (!raw) return null;
  const parsed = parseNationalId(raw, { type: 'company', today });
  return parsed.ok ? parsed.value.normalized : null;
}

export type PaymentDeps = {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'recordMany'>;
  customers: Pick<CustomerService, 'find' | 'findIdsByNationalId'>;
  merchants: Pick<MerchantService, 'get'>;
  time: Pick<TestClockTime, 'nowFor'>;
  ledger: Pick<InvoiceLedger, 'findByOcr' | 'findPayableOf' | 'lockInvoices' | 'lockInvoice' | 'writeSettlements' | 'linesOf'>;
  credit: Pick<CreditLedger, 'open' | 'commit'>;
};

export function createPaymentService(deps: PaymentDeps) {
  const { db, clock, events, customers, merchants, time, ledger, credit } = deps;

  /** Invoice events carry the invoice as it was right after each change (with its lines). */
  async function invoiceEvents(tx: Tx, tenant: Tenant, changes: { type: NewEvent['type']; row: InvoiceRow; previous: Record<string, unknown> }[]): Promise<NewEvent[]> {
    if (changes.length === 0) return [];
    const lines = await ledger.linesOf(tx, tenant.merchantId, changes.map((c) => c.row.id));
    return changes.map((c) => ({ type: c.type, objectId: c.row.id, object: toInvoiceResource(c.row, lines.get(c.row.id) ?? [], tenant.livemode), previousAttributes: c.previous }));
  }

  /** Takes `amount` off an invoice's remaining amount (in memory); returns the event it earns. */
  function payInvoice(inv: InvoiceRow, amount: number, now: Date) {
    const previous = { status: inv.status, amount_paid: inv.amountPaid, amount_remaining: inv.amountRemaining };
    inv.amountPaid += amount;
    inv.amountRemaining -= amount;
    if (inv.amountRemaining === 0) {
      inv.status = 'paid';
      inv.paidAt = now;
    } else if (!keepsStatusWhenPartlyPaid(inv.status)) inv.status = 'partially_paid';
    inv.updatedAt = now;
    return { type: (inv.amountRemaining === 0 ? 'invoice.paid' : 'invoice.partially_paid') as NewEvent['type'], row: { ...inv }, previous };
  }

  /**
   * Records payments in the caller's transaction, set-based: one query resolves every reference of
   * the batch, one finds the payers' customers, one their payable invoices; the invoices touched are
   * locked in id order, then the customers' balances; payments, invoices, credit entries and events
   * are written in bulk. The bank-file import calls this per batch of a few thousand.
   */
  async function recordBatch(tx: Tx, tenant: Tenant, inputs: PaymentInput[]): Promise<PaymentResult[]> {
    const merchantId = tenant.merchantId;
    const now = clock.now();
    const results: (PaymentResult | undefined)[] = new Array(inputs.length);

    // Already recorded (a re-imported file, a retried batch), or twice in this batch.
    const keys = inputs.map((i) => i.externalKey).filter((k): k is string => !!k);
    const before = new Map((await store.findByExternalKeys(tx, merchantId, keys)).map((p) => [p.externalKey!, p]));
    const firstOfKey = new Map<string, number>();
    const repeats: [number, number][] = [];
    type Work = { i: number; input: PaymentInput; ref: ReturnType<typeof parseReference>; nationalId: string | null; target?: string; customerId?: string | null; matchedBy?: PaymentRow['matchedBy'] };
    const work: Work[] = [];
    inputs.forEach((input, i) => {
      const key = input.externalKey;
      if (key && before.has(key)) return void (results[i] = { payment: before.get(key)!, duplicate: true });
      if (key && firstOfKey.has(key)) return void repeats.push([i, firstOfKey.get(key)!]);
      if (key) firstOfKey.set(key, i);
      work.push({ i, input, ref: parseReference(input.reference), nationalId: normaliseNationalId(input.payer?.nationalId, now) });
    });

    // 1. References: the invoices whose OCR reference the batch names, in one query.
    const byOcr = new Map((await ledger.findByOcr(tx, merchantId, work.flatMap((w) => (w.ref && !w.input.invoiceId ? [w.ref.ocr] : [])))).map((r) => [r.ocrReference, r.id]));
    for (const w of work) {
      if (w.input.invoiceId) Object.assign(w, { target: w.input.invoiceId, matchedBy: 'invoice' });
      else if (w.ref && byOcr.has(w.ref.ocr)) Object.assign(w, { target: byOcr.get(w.ref.ocr), matchedBy: w.ref.via });
    }

    // 2. Amount + payer: the customer named, or the one customer with the payer's national id, and
    // exactly one payable invoice of that customer for exactly this amount.
    const rest = work.filter((w) => !w.target);
    const byNationalId = new Map<string, string[]>();
    for (const c of await customers.findIdsByNationalId(tx, merchantId, rest.flatMap((w) => (!w.input.customerId && w.nationalId ? [w.nationalId] : [])))) {
      byNationalId.set(c.nationalId, [...(byNationalId.get(c.nationalId) ?? []), c.id]);
    }
    const payerOf = (w: Work) => {
      const ids = w.nationalId ? byNationalId.get(w.nationalId) : undefined;
      return ids?.length === 1 ? ids[0]! : null;
    };
    const candidates = rest.flatMap((w) => {
      const c = w.input.customerId ?? payerOf(w);
      return c ? [c] : [];
    });
    const payable = new Map<string, { id: string; currency: string; amountRemaining: number }[]>();
    for (const inv of await ledger.findPayableOf(tx, merchantId, candidates)) payable.set(inv.customerId, [...(payable.get(inv.customerId) ?? []), inv]);
    for (const w of rest) {
      const named = w.input.customerId ?? null;
      const customer = named ?? payerOf(w);
      if (!customer) continue;
      const fits = (payable.get(customer) ?? []).filter((inv) => inv.currency === w.input.currency && inv.amountRemaining === w.input.amount);
      if (fits.length === 1) Object.assign(w, { target: fits[0]!.id, matchedBy: named ? 'customer' : 'amount_and_payer' });
      // A named customer takes what no single invoice fits as credit; a payer who is only
      // recognised waits in the queue (the merchant decides).
      else if (named) Object.assign(w, { customerId: named, matchedBy: 'customer' });
    }

    // 3. Lock what the batch touches: invoices, then the balances of their customers (id order).
    const invoices = new Map((await ledger.lockInvoices(tx, merchantId, work.flatMap((w) => (w.target ? [w.target] : [])))).map((r) => [r.id, r]));
    for (const w of work) {
      const inv = w.target ? invoices.get(w.target) : undefined;
      if (inv && inv.currency === w.input.currency && inv.status !== 'draft') w.customerId = inv.customerId;
      else if (w.target) Object.assign(w, { target: undefined, customerId: w.input.customerId ?? null, matchedBy: w.input.customerId ? 'customer' : null });
    }
    // Only customers who may take credit are locked: a payment its invoice absorbs leaves none
    // (so a bank file paying its invoices exactly locks no customer).
    const asked = new Map<string, number>();
    for (const w of work) if (w.target) asked.set(w.target, (asked.get(w.target) ?? 0) + w.input.amount);
    const absorbed = (w: Work) => {
      const inv = w.target ? invoices.get(w.target) : undefined;
      return !!inv && PAYABLE.includes(inv.status) && asked.get(inv.id)! <= inv.amountRemaining;
    };
    const book = await credit.open(tx, merchantId, work.flatMap((w) => (w.customerId && !absorbed(w) ? [w.customerId] : [])));

    // 4. Allocate, in input order, against the locked state.
    const rows: PaymentRow[] = [];
    const changes: Parameters<typeof invoiceEvents>[2] = [];
    for (const w of work) {
      const { input } = w;
      const inv = w.target ? invoices.get(w.target)! : null;
      const customerId = w.customerId ?? null;
      const a = allocatePayment(input.amount, inv ? { remaining: inv.amountRemaining, payable: PAYABLE.includes(inv.status) } : null, !!customerId && book.accepts(customerId, input.currency));
      const id = newId('payment');
      if (inv && a.toInvoice > 0) changes.push(payInvoice(inv, a.toInvoice, now));
      if (a.toCredit > 0) book.post({ customerId: customerId!, type: 'overpayment', amount: a.toCredit, currency: input.currency, paymentId: id, invoiceId: inv?.id ?? null });
      const matched = a.unapplied === 0;
      const row: PaymentRow = {
        merchantId,
        id,
        status: matched ? 'matched' : 'unmatched',
        amount: input.amount,
        currency: input.currency,
        date: input.date,
        method: input.method,
        reference: input.reference ?? null,
        payer: {
          name: input.payer?.name ?? null,
          nationalId: w.nationalId,
          bankgiro: input.payer?.bankgiro ?? null,
          account: input.payer?.account ?? null,
          email: input.payer?.email ?? null,
        },
        customerId: matched ? customerId : null,
        invoiceId: matched && inv ? inv.id : null,
        matchedBy: matched ? (w.matchedBy ?? null) : null,
        amountApplied: a.toInvoice,
        amountCredited: a.toCredit,
        amountUnapplied: a.unapplied,
        amountRefunded: 0,
        externalKey: input.externalKey ?? null,
        metadata: input.metadata ?? {},
        createdAt: now,
        updatedAt: now,
      };
      rows.push(row);
      results[w.i] = { payment: row, duplicate: false };
    }
    for (const [i, first] of repeats) results[i] = { payment: results[first]!.payment, duplicate: true };

    // 5. Write it all.
    await store.insertPayments(tx, rows);
    await ledger.writeSettlements(tx, merchantId, [...new Map(changes.map((c) => [c.row.id, invoices.get(c.row.id)!])).values()]);
    await credit.commit(tx, tenant, book);
    const list: NewEvent[] = [];
    for (const row of rows) {
      const object = toPaymentResource(row, tenant.livemode);
      list.push({ type: 'payment.received', objectId: row.id, object });
      if (row.status === 'unmatched') list.push({ type: 'payment.unmatched', objectId: row.id, object });
    }
    list.push(...(await invoiceEvents(tx, tenant, changes)));
    await events.recordMany(tx, tenant, list);
    return results as PaymentResult[];
  }

  async function loadPayment(tx: Tx, tenant: Caller, id: string): Promise<PaymentRow> {
    const row = await store.findPayment(tx, tenant.merchantId, id, { forUpdate: true });
    if (!row) throw new DomainError('not_found', `No such payment: ${id}`);
    return row;
  }

  /** An invoice a request names: it exists, is finalised and is in the payment's currency. */
  async function namedInvoice(tx: Tx, tenant: Caller, id: string, currency: string): Promise<InvoiceRow> {
    const inv = await ledger.lockInvoice(tx, tenant.merchantId, id);
    if (!inv) throw invalidField('invoice', `does not exist: ${id}`);
    if (inv.status === 'draft') throw new DomainError('invalid_state', 'A draft invoice cannot be paid; finalise it first', { errors: [{ field: 'invoice', location: 'body', message: 'is a draft' }] });
    if (inv.currency !== currency) throw invalidField('invoice', `is in ${inv.currency}, the payment in ${currency}`);
    return inv;
  }

  return {
    recordBatch,

    async create(tenant: Caller, body: CreatePaymentInput): Promise<PaymentRow> {
      const currency = body.currency ?? 'SEK';
      const today = clock.now();
      // A format check alone lets year 0 through, which PostgreSQL refuses.
      if (body.date !== undefined && (parseCalendarDate(body.date) === null || body.date < EARLIEST_PAYMENT_DATE)) {
        throw invalidField('date', `must be a calendar date (YYYY-MM-DD) from ${EARLIEST_PAYMENT_DATE} on`);
      }
      if (body.payer?.national_id && !normaliseNationalId(body.payer.national_id, today)) {
        throw invalid([{ field: 'payer.national_id', location: 'body', message: 'is not a valid personnummer, samordningsnummer or organisationsnummer' }]);
      }
      return inTransaction(db, tenant, async (tx) => {
        const scope = { merchantId: tenant.merchantId, tx };
        let customerId = body.customer ?? null;
        if (body.invoice) {
          const inv = await namedInvoice(tx, tenant, body.invoice, currency);
          if (customerId && inv.customerId !== customerId) throw invalidField('customer', `is not the invoice's customer (${inv.customerId})`);
          customerId = inv.customerId;
        }
        const customer = customerId ? await customers.find(scope, customerId) : undefined;
        if (customerId && !customer) throw invalidField('customer', `does not exist: ${customerId}`);
        const merchant = await merchants.get(scope);
        const date = body.date ?? toCalendarDate(await time.nowFor(scope, customer?.testClockId ?? null), merchant.timeZone);
        const [result] = await recordBatch(tx, tenant, [
          {
            amount: body.amount,
            currency,
            date,
            method: body.method ?? 'other',
            reference: body.reference ?? null,
            payer: {
              name: body.payer?.name ?? null,
              nationalId: body.payer?.national_id ?? null,
              bankgiro: body.payer?.bankgiro ?? null,
              account: body.payer?.account ?? null,
              email: body.payer?.email ?? null,
            },
            invoiceId: body.invoice ?? null,
            customerId: body.customer ?? null,
            metadata: body.metadata ?? {},
          },
        ]);
        return result!.payment;
      });
    },

    async get(tenant: Caller, id: string): Promise<PaymentRow> {
      const row = await store.findPayment(queryableFor(db, tenant), tenant.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such payment: ${id}`);
      return row;
    },

    async list(tenant: Caller, filter: store.PaymentFilter, page: PageParams): Promise<Page<PaymentRow>> {
      return toPage(await store.listPayments(queryableFor(db, tenant), tenant.merchantId, filter, page), page);
    },

    /** An unmatched payment assigned by hand: to an invoice (the rest to its customer's credit) or to a customer's credit. */
    assign(tenant: Caller, id: string, body: AssignPaymentInput): Promise<PaymentRow> {
      if (!!body.invoice === !!body.customer) {
        const field = body.invoice ? 'customer' : 'invoice';
        throw invalid([{ field, location: 'body', message: body.invoice ? 'cannot be given with invoice: assign to one or the other' : 'or customer is required' }]);
      }
      return inTransaction(db, tenant, async (tx) => {
        const payment = await loadPayment(tx, tenant, id);
        const now = clock.now();
        const inv = body.invoice ? await namedInvoice(tx, tenant, body.invoice, payment.currency) : null;
        const customerId = inv ? inv.customerId : body.customer!;
        if (!inv && !(await customers.find({ merchantId: tenant.merchantId, tx }, customerId))) throw invalidField('customer', `does not exist: ${customerId}`);
        if (payment.amountUnapplied === 0) throw new DomainError('invalid_state', `The payment has nothing left to assign (it is ${payment.status}); nothing is matched twice`);
        const book = await credit.open(tx, tenant.merchantId, [customerId]);
        const a = allocatePayment(payment.amountUnapplied, inv ? { remaining: inv.amountRemaining, payable: PAYABLE.includes(inv.status) } : null, book.accepts(customerId, payment.currency));
        if (a.unapplied > 0) {
          throw new DomainError('invalid_state', `The customer's credit balance is in ${book.balances.get(customerId)?.balanceCurrency}; a ${payment.currency} payment cannot be added to it`);
        }
        const change = inv && a.toInvoice > 0 ? payInvoice(inv, a.toInvoice, now) : null;
        if (a.toCredit > 0) {
          book.post({ customerId, type: inv ? 'overpayment' : 'manual_assignment', amount: a.toCredit, currency: payment.currency, paymentId: payment.id, invoiceId: inv?.id ?? null });
        }
        const updated = await store.updatePayment(tx, {
          ...payment,
          status: 'matched',
          customerId,
          invoiceId: inv?.id ?? null,
          matchedBy: 'manual',
          amountApplied: payment.amountApplied + a.toInvoice,
          amountCredited: payment.amountCredited + a.toCredit,
          amountUnapplied: 0,
          updatedAt: now,
        });
        if (change) await ledger.writeSettlements(tx, tenant.merchantId, [inv!]);
        await credit.commit(tx, tenant, book);
        await events.recordMany(tx, tenant, [
          { type: 'payment.assigned', objectId: id, object: toPaymentResource(updated, tenant.livemode), previousAttributes: { status: payment.status } },
          ...(await invoiceEvents(tx, tenant, change ? [change] : [])),
        ]);
        return updated;
      });
    },

    /**
     * A refund: from what was never applied, then from the credit the payment left (refused when
     * that credit has been used: the balance never goes below zero), then from the invoice it paid,
     * which is reopened by that much. Under the payment's row lock, so concurrent refunds never
     * exceed the payment.
     */
    refund(tenant: Caller, paymentId: string, body: CreateRefundInput): Promise<RefundRow> {
      return inTransaction(db, tenant, async (tx) => {
        const payment = await loadPayment(tx, tenant, paymentId);
        const holds = payment.amountApplied + payment.amountCredited + payment.amountUnapplied;
        if (holds === 0) throw new DomainError('invalid_state', 'The payment has been refunded in full');
        const amount = body.amount ?? holds;
        const split = splitRefund({ applied: payment.amountApplied, credited: payment.amountCredited, unapplied: payment.amountUnapplied }, amount);
        if (!split) throw invalidField('amount', `is more than the ${holds} the payment still holds (of ${payment.amount} paid, ${payment.amountRefunded} refunded)`);
        const now = clock.now();
        const id = newId('refund');
        const list: NewEvent[] = [];
        let book: CreditBook | null = null;
        if (split.fromInvoice > 0) {
          const inv = (await ledger.lockInvoice(tx, tenant.merchantId, payment.invoiceId!))!;
          const previous = { status: inv.status, amount_paid: inv.amountPaid, amount_remaining: inv.amountRemaining, paid_at: inv.paidAt?.toISOString() ?? null, updated_at: inv.updatedAt.toISOString() };
          inv.amountPaid -= split.fromInvoice;
          inv.amountRemaining = Math.max(0, inv.amountDue - inv.amountPaid - inv.amountFromBalance - inv.amountCredited - inv.amountPlan);
          if (!keepsStatusWhenPartlyPaid(inv.status)) inv.status = settlementState(inv.amountRemaining, inv.amountPaid);
          if (inv.amountRemaining > 0) inv.paidAt = null;
          inv.updatedAt = now;
          await ledger.writeSettlements(tx, tenant.merchantId, [inv]);
          list.push(...(await invoiceEvents(tx, tenant, [{ type: 'invoice.updated', row: inv, previous }])));
        }
        if (split.fromCredit > 0) {
          book = await credit.open(tx, tenant.merchantId, [payment.customerId!]);
          const available = book.available(payment.customerId!, payment.currency);
          if (available < split.fromCredit) {
            throw new DomainError(
              'invalid_state',
              `The customer's credit from this payment has been used: ${split.fromCredit} would be refunded from a balance of ${available}. Refund less, or credit the invoice it paid`,
              { errors: [{ field: 'amount', location: 'body', message: `needs ${split.fromCredit} of the customer's credit, which holds ${available}` }] },
            );
          }
          book.post({ customerId: payment.customerId!, type: 'refund', amount: -split.fromCredit, currency: payment.currency, paymentId: payment.id, refundId: id });
        }
        const refund: RefundRow = {
          merchantId: tenant.merchantId,
          id,
          paymentId: payment.id,
          amount,
          currency: payment.currency,
          reason: body.reason ?? null,
          ...split,
          metadata: body.metadata ?? {},
          createdAt: now,
        };
        await store.insertRefund(tx, refund);
        const refunded = payment.amountRefunded + amount;
        const unapplied = payment.amountUnapplied - split.fromUnapplied;
        const updated = await store.updatePayment(tx, {
          ...payment,
          status: refunded === payment.amount ? 'refunded' : unapplied > 0 ? 'unmatched' : 'matched',
          amountApplied: payment.amountApplied - split.fromInvoice,
          amountCredited: payment.amountCredited - split.fromCredit,
          amountUnapplied: unapplied,
          amountRefunded: refunded,
          updatedAt: now,
        });
        // The credit entry names the refund, so it is written after it.
        if (book) await credit.commit(tx, tenant, book);
        list.unshift({ type: 'payment.refunded', objectId: payment.id, object: toPaymentResource(updated, tenant.livemode), previousAttributes: { amount_refunded: payment.amountRefunded, status: payment.status } });
        await events.recordMany(tx, tenant, list);
        return refund;
      });
    },

    async getRefund(tenant: Caller, id: string): Promise<RefundRow> {
      const row = await store.findRefund(queryableFor(db, tenant), tenant.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such refund: ${id}`);
      return row;
    },

    async listRefunds(tenant: Caller, paymentId: string, page: PageParams): Promise<Page<RefundRow>> {
      const q = queryableFor(db, tenant);
      if (!(await store.findPayment(q, tenant.merchantId, paymentId))) throw new DomainError('not_found', `No such payment: ${paymentId}`);
      return toPage(await store.listRefunds(q, tenant.merchantId, paymentId, page), page);
    },

    async listBalanceTransactions(tenant: Caller, customerId: string, page: PageParams) {
      if (!(await customers.find(tenant, customerId))) throw new DomainError('not_found', `No such customer: ${customerId}`);
      return toPage(await store.listBalanceTransactions(queryableFor(db, tenant), tenant.merchantId, customerId, page), page);
    },
  };
}
export type PaymentService = ReturnType<typeof createPaymentService>;
