// Invoice use cases: one-off drafts, finalisation (numbering, OCR, due date in one transaction),
// payments recorded outside Omtanke, void and uncollectible, and the document to render.
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, type FieldError, invalid } from '../../kernel/errors.ts';
import { daysBetween, toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import type { EventService } from '../events/service.ts';
import type { EventType } from '../events/types.ts';
import { mergeMetadata, previousAttributes } from '../events/changes.ts';
import type { MerchantService } from '../merchants/service.ts';
import { assertSellerComplete } from '../merchants/settings.ts';
import type { Customer, CustomerService } from '../customers/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import type { CreditLedger } from '../payments/credit.ts';
import type { CollectionService } from '../collection/service.ts';
import type { PeppolOutbox } from '../peppol/sending.ts';
import type { PaymentService } from '../payments/service.ts';
import {
  OCR_SERIES,
  buyerOf,
  finalFields,
  invoiceSeries,
  isReverseCharge,
  priceLines,
  sellerOf,
  documentLine,
  unitAmountExclVat,
  type InvoiceLineRow,
  type InvoiceRow,
  type LineInput,
} from './compose.ts';
import { allocateEach } from './number-series.ts';
import { toInvoiceResource, type CreateInvoiceInput, type LineBodyInput, type UpdateInvoiceInput } from './contract.ts';
import type { InvoiceDocument } from './document.ts';
import * as store from './store.ts';

export type Invoice = InvoiceRow & { lines: InvoiceLineRow[] };

/** priceLines for lines from a request: totals too large to compute are the caller's mistake (400), not a crash. */
function priceRequestLines(...args: Parameters<typeof priceLines>): ReturnType<typeof priceLines> {
  try {
    return priceLines(...args);
  } catch (e) {
    if (e instanceof RangeError) throw invalid([{ field: 'lines', location: 'body', message: e.message }]);
    throw e;
  }
}

export type InvoiceDeps = {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'record' | 'recordMany'>;
  merchants: Pick<MerchantService, 'get'>;
  customers: Pick<CustomerService, 'find'>;
  catalog: Pick<CatalogService, 'findPrice' | 'findProduct'>;
  time: Pick<TestClockTime, 'nowForChange'>;
  // Customer credit used at finalisation, and the payments `pay` records.
  credit: Pick<CreditLedger, 'applyToInvoices'>;
  payments: Pick<PaymentService, 'recordBatch'>;
  // An invoice of a card, Swish or autogiro customer gets its first collection attempt when finalised.
  collection: Pick<CollectionService, 'scheduleForInvoices'>;
  // An invoice of a customer who chose peppol delivery is queued for sending when finalised.
  einvoices: Pick<PeppolOutbox, 'enqueueForInvoices'>;
};

export function createInvoiceService(deps: InvoiceDeps) {
  const { db, clock, events, merchants, customers, catalog, time, credit, payments } = deps;

  async function load(q: Queryable, tenant: Caller, id: string, opts: { forUpdate?: boolean } = {}): Promise<Invoice> {
    const row = await store.findInvoice(q, tenant.merchantId, id, opts);
    if (!row) throw new DomainError('not_found', `No such invoice: ${id}`);
    return { ...row, lines: await store.findLines(q, tenant.merchantId, id) };
  }

  async function record(tx: Tx, tenant: Caller, type: EventType, inv: Invoice, previousAttributes?: Record<string, unknown>) {
    await events.record(tx, tenant, { type, objectId: inv.id, object: toInvoiceResource(inv, inv.lines, tenant.livemode), previousAttributes });
  }

  /** Resolves request lines (a price, or description + amount) into priced line inputs. */
  async function resolveLines(tenant: Caller, body: LineBodyInput[], currency: string | undefined) {
    const errors: FieldError[] = [];
    const lines: LineInput[] = [];
    let cur = currency;
    for (const [i, l] of body.entries()) {
      const field = `lines[${i}]`;
      if (l.price) {
        if (l.unit_amount !== undefined || l.tax_behavior !== undefined || l.vat_rate !== undefined) {
          errors.push({ field, location: 'body', message: 'takes either price or unit_amount/tax_behavior/vat_rate, not both' });
          continue;
        }
        const price = await catalog.findPrice(tenant, l.price);
        if (!price) {
          errors.push({ field: `${field}.price`, location: 'body', message: `does not exist: ${l.price}` });
          continue;
        }
        if (!price.active) {
          errors.push({ field: `${field}.price`, location: 'body', message: 'is archived; use its replacement' });
          continue;
        }
        cur ??= price.currency;
        if (price.currency !== cur) errors.push({ field: `${field}.price`, location: 'body', message: `is in ${price.currency}, the invoice in ${cur}` });
        const product = await catalog.findProduct(tenant, price.productId);
        lines.push({
          description: l.description ?? [product?.name, price.nickname].filter(Boolean).join(' – '),
          quantity: l.quantity ?? 1,
          unitAmount: price.unitAmount,
          taxBehavior: price.taxBehavior,
          vatRate: price.vatRate,
          priceId: price.id,
        });
      } else {
        if (l.description === undefined) errors.push({ field: `${field}.description`, location: 'body', message: 'is required without price' });
        if (l.unit_amount === undefined) errors.push({ field: `${field}.unit_amount`, location: 'body', message: 'is required without price' });
        if (l.description === undefined || l.unit_amount === undefined) continue;
        lines.push({
          description: l.description,
          quantity: l.quantity ?? 1,
          unitAmount: l.unit_amount,
          taxBehavior: l.tax_behavior ?? 'exclusive',
          vatRate: l.vat_rate ?? 25,
        });
      }
    }
    if (errors.length > 0) throw invalid(errors);
    return { lines, currency: cur ?? 'SEK' };
  }

  async function customerOf(tenant: Caller, id: string, field = 'customer'): Promise<Customer> {
    const c = await customers.find(tenant, id);
    if (!c) throw invalid([{ field, location: 'body', message: `does not exist: ${id}` }]);
    return c;
  }


  /** Numbers, dates and the parties' snapshot, inside the caller's transaction (gap-free). */
  async function finalizeInTx(tx: Tx, tenant: Caller, inv: Invoice): Promise<Invoice> {
    if (inv.lines.length === 0) throw new DomainError('invalid_state', 'An invoice needs at least one line to be finalised');
    const scope = { merchantId: tenant.merchantId, tx };
    const merchant = await merchants.get(scope);
    // No number, OCR reference or event for an invoice that could not lawfully be sent or paid.
    assertSellerComplete(merchant);
    const customer = (await customers.find(scope, inv.customerId))!;
    const reverseCharge = isReverseCharge(customer);
    // A reverse-charge draft stores its lines at 0 % and the rates they had are gone: if the buyer
    // no longer qualifies, finalising would issue a Swedish invoice without VAT.
    if (inv.reverseCharge && !reverseCharge) {
      throw new DomainError('invalid_state', 'The customer is no longer reverse-charged; replace the lines (with their VAT rates) before finalising');
    }
    const priced = priceLines(tenant.merchantId, inv.id, inv.lines, inv.currency, reverseCharge);
    if (priced.amounts.amountDue < 0) {
      throw new DomainError('invalid_state', 'An invoice cannot ask for less than zero; issue a credit note against the invoice instead');
    }
    const now = await time.nowForChange(scope, customer.testClockId);
    const paid = priced.amounts.amountDue === 0;
    const next: InvoiceRow = {
      ...inv,
      ...priced.amounts,
      buyer: buyerOf(customer),
      reverseCharge,
      locale: customer.locale,
      status: paid ? 'paid' : 'open',
      finalizedAt: clock.now(),
      paidAt: paid ? clock.now() : null,
      updatedAt: clock.now(),
    };
    // The customer's credit (an earlier overpayment) pays what it can; before numbers (lock order).
    await credit.applyToInvoices(tx, tenant, [next]);
    const [numberSeq, ocrSeq] = (await allocateEach(tx, tenant.merchantId, [
      { series: invoiceSeries(merchant), count: 1 },
      { series: OCR_SERIES, count: 1 },
    ])) as [number, number];
    const issueDate = toCalendarDate(now, merchant.timeZone);
    Object.assign(next, finalFields(merchant, numberSeq, ocrSeq, issueDate, inv.paymentTermsDays));
    await store.replaceLines(tx, tenant.merchantId, inv.id, priced.lines);
    const updated: Invoice = { ...(await store.updateInvoice(tx, next)), lines: priced.lines };
    await deps.collection.scheduleForInvoices(tx, tenant, merchant.timeZone, [updated]);
    await deps.einvoices.enqueueForInvoices(tx, tenant, [updated]);
    await record(tx, tenant, 'invoice.finalized', updated);
    if (updated.status === 'paid') await record(tx, tenant, 'invoice.paid', updated);
    return updated;
  }

  return {
    get: (tenant: Caller, id: string) => load(queryableFor(db, tenant), tenant, id),

    async list(tenant: Caller, filter: store.InvoiceFilter, page: PageParams): Promise<Page<Invoice>> {
      const q = queryableFor(db, tenant);
      const p = toPage(await store.listInvoices(q, tenant.merchantId, filter, page), page);
      const lines = await store.findLinesOf(q, tenant.merchantId, p.data.map((r) => r.id));
      return { data: p.data.map((r) => ({ ...r, lines: lines.get(r.id) ?? [] })), hasMore: p.hasMore };
    },

    async createDraft(tenant: Caller, input: CreateInvoiceInput): Promise<Invoice> {
      const customer = await customerOf(tenant, input.customer);
      if (customer.archivedAt) throw invalid([{ field: 'customer', location: 'body', message: 'is archived' }]);
      const { lines, currency } = await resolveLines(tenant, input.lines, input.currency);
      const merchant = await merchants.get(tenant);
      const id = newId('invoice');
      const priced = priceRequestLines(tenant.merchantId, id, lines, currency, isReverseCharge(customer));
      const now = clock.now();
      const row: InvoiceRow = {
        merchantId: tenant.merchantId,
        id,
        customerId: customer.id,
        subscriptionId: null,
        billingReason: 'manual',
        status: 'draft',
        currency,
        series: null,
        numberSeq: null,
        number: null,
        ocrReference: null,
        issueDate: null,
        dueDate: null,
        periodStart: null,
        periodEnd: null,
        ...priced.amounts,
        amountPaid: 0,
        amountCredited: 0,
        amountFromBalance: 0,
        amountPlan: 0,
        seller: null,
        buyer: null,
        reverseCharge: isReverseCharge(customer),
        locale: customer.locale,
        paymentTermsDays: input.payment_terms_days ?? merchant.paymentTermsDays,
        memo: input.memo ?? null,
        metadata: input.metadata ?? {},
        createdAt: now,
        updatedAt: now,
        finalizedAt: null,
        paidAt: null,
        voidedAt: null,
        markedUncollectibleAt: null,
      };
      return inTransaction(db, tenant, async (tx) => {
        await store.insertInvoices(tx, [row], priced.lines);
        const inv: Invoice = { ...row, lines: priced.lines };
        await record(tx, tenant, 'invoice.created', inv);
        return input.auto_finalize ? finalizeInTx(tx, tenant, inv) : inv;
      });
    },

    async update(tenant: Caller, id: string, input: UpdateInvoiceInput): Promise<Invoice> {
      const resolved = input.lines ? await resolveLines(tenant, input.lines, undefined) : undefined;
      return inTransaction(db, tenant, async (tx) => {
        const inv = await load(tx, tenant, id, { forUpdate: true });
        const draftOnly = input.lines !== undefined || input.memo !== undefined || input.payment_terms_days !== undefined;
        if (draftOnly && inv.status !== 'draft') throw new DomainError('invalid_state', `Only metadata can change once an invoice is finalised; it is ${inv.status}`);
        const before = toInvoiceResource(inv, inv.lines, tenant.livemode);
        let next: Invoice = { ...inv };
        if (resolved) {
          if (resolved.currency !== inv.currency && input.lines!.some((l) => l.price)) {
            throw invalid([{ field: 'lines', location: 'body', message: `prices must be in the invoice's currency ${inv.currency}` }]);
          }
          // New lines are taxed as the customer is now (reverse charge may have changed since the draft was made).
          const reverseCharge = isReverseCharge((await customers.find({ merchantId: tenant.merchantId, tx }, inv.customerId))!);
          const priced = priceRequestLines(tenant.merchantId, id, resolved.lines, inv.currency, reverseCharge);
          next = { ...next, ...priced.amounts, reverseCharge, lines: priced.lines };
          await store.replaceLines(tx, tenant.merchantId, id, priced.lines);
        }
        if (input.memo !== undefined) next.memo = input.memo;
        if (input.payment_terms_days !== undefined) next.paymentTermsDays = input.payment_terms_days;
        if (input.metadata !== undefined) next.metadata = mergeMetadata(inv.metadata, input.metadata);
        // Like every other *.updated event: what changed, and no event (nor a new updated_at) for no change.
        const changed = previousAttributes(before, toInvoiceResource(next, next.lines, tenant.livemode));
        if (!changed) return inv;
        const updated: Invoice = { ...(await store.updateInvoice(tx, { ...next, updatedAt: clock.now() })), lines: next.lines };
        await record(tx, tenant, 'invoice.updated', updated, { ...changed, updated_at: before.updated_at });
        return updated;
      });
    },

    deleteDraft(tenant: Caller, id: string): Promise<Invoice> {
      return inTransaction(db, tenant, async (tx) => {
        const inv = await load(tx, tenant, id, { forUpdate: true });
        if (inv.status !== 'draft') throw new DomainError('invalid_state', `Only drafts can be deleted; void a ${inv.status} invoice instead`);
        await store.deleteDraft(tx, tenant.merchantId, id);
        await record(tx, tenant, 'invoice.deleted', inv);
        return inv;
      });
    },

    finalize(tenant: Caller, id: string): Promise<Invoice> {
      return inTransaction(db, tenant, async (tx) => {
        const inv = await load(tx, tenant, id, { forUpdate: true });
        if (inv.status !== 'draft') throw new DomainError('invalid_state', `The invoice is already finalised (${inv.status})`);
        return finalizeInTx(tx, tenant, inv);
      });
    },

    /** A payment received outside Omtanke (bank transfer seen in the merchant's own books). */
    pay(tenant: Caller, id: string, amount: number | undefined): Promise<Invoice> {
      return inTransaction(db, tenant, async (tx) => {
        const inv = await load(tx, tenant, id, { forUpdate: true });
        if (!['open', 'partially_paid', 'uncollectible', 'in_collection'].includes(inv.status)) {
          throw new DomainError('invalid_state', `A ${inv.status} invoice cannot be paid`);
        }
        const paying = amount ?? inv.amountRemaining;
        if (paying > inv.amountRemaining) {
          throw invalid([{ field: 'amount', location: 'body', message: `is more than the ${inv.amountRemaining} remaining` }]);
        }
        // A payment like any other (recorded, with payment.received), named to this invoice.
        const scope = { merchantId: tenant.merchantId, tx };
        const merchant = await merchants.get(scope);
        const customer = await customers.find(scope, inv.customerId);
        const today = toCalendarDate(await time.nowForChange(scope, customer?.testClockId ?? null), merchant.timeZone);
        await payments.recordBatch(tx, tenant, [{ amount: paying, currency: inv.currency, date: today, method: 'other', invoiceId: inv.id }]);
        return load(tx, tenant, id);
      });
    },

    /** Void keeps the number (no gap) and cancels the claim; only before any payment. */
    void(tenant: Caller, id: string): Promise<Invoice> {
      return inTransaction(db, tenant, async (tx) => {
        const inv = await load(tx, tenant, id, { forUpdate: true });
        if (inv.status === 'draft') throw new DomainError('invalid_state', 'Delete a draft instead of voiding it');
        if (inv.amountCredited > 0) throw new DomainError('invalid_state', 'A credited invoice cannot be voided; credit the rest instead');
        if (!['open', 'uncollectible'].includes(inv.status) || inv.amountPaid > 0) {
          throw new DomainError('invalid_state', `A ${inv.status} invoice${inv.amountPaid > 0 ? ' with payments' : ''} cannot be voided; issue a credit note`);
        }
        const now = clock.now();
        const updated: Invoice = { ...(await store.updateInvoice(tx, { ...inv, status: 'void', amountRemaining: 0, voidedAt: now, updatedAt: now })), lines: inv.lines };
        await record(tx, tenant, 'invoice.voided', updated, { status: inv.status });
        return updated;
      });
    },

    markUncollectible(tenant: Caller, id: string): Promise<Invoice> {
      return inTransaction(db, tenant, async (tx) => {
        const inv = await load(tx, tenant, id, { forUpdate: true });
        if (!['open', 'partially_paid', 'in_collection'].includes(inv.status)) throw new DomainError('invalid_state', `A ${inv.status} invoice cannot be marked uncollectible`);
        const now = clock.now();
        const updated: Invoice = { ...(await store.updateInvoice(tx, { ...inv, status: 'uncollectible', markedUncollectibleAt: now, updatedAt: now })), lines: inv.lines };
        await record(tx, tenant, 'invoice.marked_uncollectible', updated, { status: inv.status });
        return updated;
      });
    },

    /**
     * Dunning's escalation, in its transaction: the claims are handed to the merchant's collection
     * agency. Only invoices still owing move (locked in id order, like payments lock them); returns
     * those that did, with `invoice.in_collection` recorded for each.
     */
    async markInCollection(tx: Tx, tenant: Caller, ids: string[]): Promise<Invoice[]> {
      const owing = (await store.lockInvoices(tx, tenant.merchantId, ids)).filter((r) => ['open', 'partially_paid'].includes(r.status) && r.amountRemaining > 0);
      if (owing.length === 0) return [];
      const now = clock.now();
      const moved = owing.map((r) => ({ ...r, status: 'in_collection' as const, updatedAt: now }));
      await store.writeSettlements(tx, tenant.merchantId, moved);
      const lines = await store.findLinesOf(tx, tenant.merchantId, moved.map((r) => r.id));
      const out = moved.map((r) => ({ ...r, lines: lines.get(r.id) ?? [] }));
      await events.recordMany(
        tx,
        tenant,
        out.map((inv, i) => ({ type: 'invoice.in_collection' as const, objectId: inv.id, object: toInvoiceResource(inv, inv.lines, tenant.livemode), previousAttributes: { status: owing[i]!.status } })),
      );
      return out;
    },

    /**
     * A payment plan's instalments, issued in its transaction: each an invoice of its own, numbered
     * in the merchant's series with an OCR reference, due on its own date, one line without VAT (the
     * VAT was on the invoices the plan took over; interest and the plan fee carry none). The amount
     * is exact: no öresavrundning, so the instalments add up to the plan to the öre. A card or
     * autogiro customer's instalments are collected on their due dates, and a Peppol customer's sent as
     * e-invoices, like any invoice.
     */
    async issueInstalments(tx: Tx, tenant: Caller, input: { customerId: string; currency: string; instalments: { amount: number; dueDate: string; description: string }[] }): Promise<Invoice[]> {
      const scope = { merchantId: tenant.merchantId, tx };
      const merchant = await merchants.get(scope);
      assertSellerComplete(merchant);
      const customer = (await customers.find(scope, input.customerId))!;
      const now = clock.now();
      const issueDate = toCalendarDate(await time.nowForChange(scope, customer.testClockId), merchant.timeZone);
      const n = input.instalments.length;
      const [firstNumber, firstOcr] = (await allocateEach(tx, tenant.merchantId, [
        { series: invoiceSeries(merchant), count: n },
        { series: OCR_SERIES, count: n },
      ])) as [number, number];
      const out: Invoice[] = input.instalments.map((it, i) => {
        const id = newId('invoice');
        const line: InvoiceLineRow = {
          merchantId: tenant.merchantId, invoiceId: id, lineNo: 1, description: it.description, quantity: 1, unitAmount: it.amount, taxBehavior: 'exclusive', vatRate: 0,
          net: it.amount, vat: 0, gross: it.amount, priceId: null, subscriptionItemId: null, periodStart: null, periodEnd: null, proration: false,
        };
        return {
          merchantId: tenant.merchantId, id, customerId: customer.id, subscriptionId: null, billingReason: 'payment_plan', status: 'open', currency: input.currency,
          ...finalFields(merchant, firstNumber + i, firstOcr + i, issueDate, 0),
          dueDate: it.dueDate,
          periodStart: null, periodEnd: null,
          subtotal: it.amount, vatTotal: 0, total: it.amount, rounding: 0, amountDue: it.amount, amountPaid: 0, amountCredited: 0, amountFromBalance: 0, amountPlan: 0, amountRemaining: it.amount,
          vatBreakdown: [{ vatRate: 0, net: it.amount, vat: 0 }],
          buyer: buyerOf(customer), reverseCharge: false, locale: customer.locale, paymentTermsDays: Math.max(0, daysBetween(issueDate, it.dueDate as CalendarDate)), memo: null, metadata: {},
          createdAt: now, updatedAt: now, finalizedAt: now, paidAt: null, voidedAt: null, markedUncollectibleAt: null,
          lines: [line],
        };
      });
      await store.insertInvoices(tx, out.map(({ lines: _l, ...row }) => row), out.flatMap((i) => i.lines));
      await deps.collection.scheduleForInvoices(tx, tenant, merchant.timeZone, out);
      await deps.einvoices.enqueueForInvoices(tx, tenant, out);
      await events.recordMany(tx, tenant, out.flatMap((inv) => {
        const object = toInvoiceResource(inv, inv.lines, tenant.livemode);
        return [{ type: 'invoice.created' as const, objectId: inv.id, object }, { type: 'invoice.finalized' as const, objectId: inv.id, object }];
      }));
      return out;
    },

    /** The invoice as a document to render; drafts show the seller and buyer as they are now. */
    async document(tenant: Caller, id: string): Promise<InvoiceDocument> {
      const inv = await load(queryableFor(db, tenant), tenant, id);
      const seller = inv.seller ?? sellerOf(await merchants.get(tenant));
      const buyer = inv.buyer ?? buyerOf((await customers.find(tenant, inv.customerId))!);
      return {
        kind: 'invoice',
        locale: inv.locale,
        id: inv.id,
        number: inv.number,
        status: inv.status,
        currency: inv.currency,
        issueDate: inv.issueDate,
        dueDate: inv.dueDate,
        periodStart: inv.periodStart,
        periodEnd: inv.periodEnd,
        seller,
        buyer,
        reverseCharge: inv.reverseCharge,
        lines: inv.lines.map((l) => ({ ...documentLine(l), unitAmountExclVat: unitAmountExclVat(l), periodStart: l.periodStart, periodEnd: l.periodEnd })),
        vatBreakdown: inv.vatBreakdown,
        subtotal: inv.subtotal,
        vatTotal: inv.vatTotal,
        total: inv.total,
        rounding: inv.rounding,
        amountDue: inv.amountDue,
        amountPaid: inv.amountPaid,
        amountCredited: inv.amountCredited,
        amountRemaining: inv.amountRemaining,
        ocrReference: inv.ocrReference,
        paymentTermsDays: inv.paymentTermsDays,
        lateInterestText: null,
        creditedInvoiceNumber: null,
        creditedInvoiceRemaining: null,
        memo: inv.memo,
      };
    },
  };
}
export type InvoiceService = ReturnType<typeof createInvoiceService>;
