// Credit notes (kreditfakturor): a numbered document that takes part or all of a finalised invoice
// back. Lines repeat the invoice's prices, so a full credit is exactly the invoice negated.
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalid, invalidField, type FieldError } from '../../kernel/errors.ts';
import { toCalendarDate } from '../../domain/calendar-date.ts';
import type { EventService } from '../events/service.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import { creditNoteSeries, documentLine, priceLines, sellerOf, unitAmountExclVat, type InvoiceRow, type LineInput } from './compose.ts';
import { allocate } from './number-series.ts';
import { toCreditNoteResource, toInvoiceResource, type CreateCreditNoteInput } from './contract.ts';
import type { CreditNoteLine } from './schema.ts';
import type { InvoiceDocument } from './document.ts';
import * as store from './store.ts';

export type CreditNote = store.CreditNoteRow;
export type CreditLine = LineInput & { invoiceLineNo: number | null };

const CREDITABLE: InvoiceRow['status'][] = ['open', 'partially_paid', 'paid', 'uncollectible', 'in_collection'];

/**
 * A credit of an amount (VAT included) split over the invoice's VAT rates in proportion to what
 * each rate charged, so the credit note reduces each rate's VAT as the invoice had it.
 */
export function amountLines(invoice: InvoiceRow, amount: number): CreditLine[] {
  const rates = invoice.vatBreakdown.filter((r) => r.net + r.vat > 0);
  const gross = rates.reduce((sum, r) => sum + r.net + r.vat, 0);
  let given = 0;
  return rates.map((r, i) => {
    const share = i === rates.length - 1 ? amount - given : Math.round((amount * (r.net + r.vat)) / gross);
    given += share;
    return {
      invoiceLineNo: null,
      description: invoice.locale === 'sv' ? `Kreditering ${invoice.number ?? ''}`.trim() : `Credit of ${invoice.number ?? 'invoice'}`,
      quantity: 1,
      unitAmount: share,
      taxBehavior: 'inclusive' as const,
      vatRate: r.vatRate,
    };
  }).filter((l) => l.unitAmount !== 0);
}

export function createCreditNoteService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'record'>;
  merchants: Pick<MerchantService, 'get'>;
  customers: Pick<CustomerService, 'find'>;
  time: Pick<TestClockTime, 'nowFor'>;
}) {
  const { db, clock, events, merchants, customers, time } = deps;

  /** Issues a credit note inside the caller's transaction; the invoice must be locked by the caller. */
  async function issue(
    tx: Tx,
    tenant: Tenant,
    invoice: InvoiceRow,
    lines: CreditLine[],
    opts: { reason: CreditNote['reason']; memo?: string | null; metadata?: Record<string, string>; creditsTheRest?: boolean; exactAmount?: number },
  ): Promise<CreditNote> {
    if (!CREDITABLE.includes(invoice.status)) throw new DomainError('invalid_state', `A ${invoice.status} invoice cannot be credited`);
    const creditable = invoice.amountDue - invoice.amountCredited;
    if (creditable <= 0) throw new DomainError('invalid_state', 'The invoice has already been credited in full');
    const id = newId('creditNote');
    const priced = priceLines(tenant.merchantId, id, lines, invoice.currency, invoice.reverseCharge);
    // Rounded credits of several parts could add up to more or less than the invoice: the one that
    // credits the last of its lines (creditsTheRest) takes exactly what is left, never more.
    // An amount the merchant named is credited as named, to the öre (no öresavrundning on top).
    const amount = opts.creditsTheRest ? creditable : Math.min(opts.exactAmount ?? priced.amounts.amountDue, creditable);
    if (amount <= 0) throw new DomainError('validation_failed', 'The credit note would credit nothing');
    const scope = { merchantId: tenant.merchantId, tx };
    const merchant = await merchants.get(scope);
    const customer = (await customers.find(scope, invoice.customerId))!;
    const now = await time.nowFor(scope, customer.testClockId);
    const seq = await allocate(tx, tenant.merchantId, creditNoteSeries(merchant), 1);
    const row: CreditNote = {
      merchantId: tenant.merchantId,
      id,
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      status: 'issued',
      series: merchant.invoiceNumberPrefix,
      numberSeq: seq,
      number: `${merchant.invoiceNumberPrefix}K${seq}`,
      currency: invoice.currency,
      issueDate: toCalendarDate(now, merchant.timeZone),
      reason: opts.reason,
      memo: opts.memo ?? null,
      subtotal: priced.amounts.subtotal,
      vatTotal: priced.amounts.vatTotal,
      total: priced.amounts.total,
      rounding: amount - priced.amounts.total,
      amount,
      invoiceAmountRemaining: Math.max(0, invoice.amountDue - invoice.amountPaid - invoice.amountFromBalance - invoice.amountCredited - invoice.amountPlan - amount),
      vatBreakdown: priced.amounts.vatBreakdown,
      lines: priced.lines.map((l, i): CreditNoteLine => ({ invoiceLineNo: lines[i]!.invoiceLineNo, ...documentLine(l) })),
      metadata: opts.metadata ?? {},
      createdAt: clock.now(),
    };
    await store.insertCreditNote(tx, row);
    const credited = invoice.amountCredited + amount;
    const remaining = Math.max(0, invoice.amountDue - invoice.amountPaid - invoice.amountFromBalance - invoice.amountPlan - credited);
    // Like Stripe: an open invoice credited down to nothing is settled (paid), not left open.
    const settles = remaining === 0 && (invoice.status === 'open' || invoice.status === 'partially_paid' || invoice.status === 'uncollectible' || invoice.status === 'in_collection');
    const updated = await store.updateInvoice(tx, {
      ...invoice,
      amountCredited: credited,
      amountRemaining: remaining,
      status: settles ? 'paid' : invoice.status,
      paidAt: settles ? clock.now() : invoice.paidAt,
      updatedAt: clock.now(),
    });
    await events.record(tx, tenant, { type: 'credit_note.created', objectId: row.id, object: toCreditNoteResource(row, tenant.livemode) });
    const invoiceLines = await store.findLines(tx, tenant.merchantId, invoice.id);
    await events.record(tx, tenant, {
      type: 'invoice.credited',
      objectId: invoice.id,
      object: toInvoiceResource(updated, invoiceLines, tenant.livemode),
      previousAttributes: { amount_credited: invoice.amountCredited, amount_remaining: invoice.amountRemaining, status: invoice.status },
    });
    return row;
  }

  return {
    issue,

    create(tenant: Caller, input: CreateCreditNoteInput): Promise<CreditNote> {
      return inTransaction(db, tenant, async (tx) => {
        const invoice = await store.findInvoice(tx, tenant.merchantId, input.invoice, { forUpdate: true });
        if (!invoice) {
          throw new DomainError('validation_failed', `invoice does not exist: ${input.invoice}`, {
            errors: [{ field: 'invoice', location: 'body', message: 'does not exist' }],
          });
        }
        if (input.amount !== undefined) {
          if (input.lines) throw invalidField('amount', 'cannot be combined with lines');
          const creditable = invoice.amountDue - invoice.amountCredited;
          if (input.amount > creditable) throw invalidField('amount', `is more than the ${creditable} that can still be credited`);
          return issue(tx, tenant, invoice, amountLines(invoice, input.amount), {
            reason: input.reason ?? 'other',
            memo: input.memo ?? null,
            metadata: input.metadata ?? {},
            exactAmount: input.amount,
          });
        }
        const invoiceLines = await store.findLines(tx, tenant.merchantId, invoice.id);
        const already = new Map<number, number>();
        for (const cn of await store.listCreditNotes(tx, tenant.merchantId, { invoiceId: invoice.id }, { limit: 10_000 })) {
          if (cn.status !== 'issued') continue;
          for (const l of cn.lines) if (l.invoiceLineNo !== null) already.set(l.invoiceLineNo, (already.get(l.invoiceLineNo) ?? 0) + l.quantity);
        }
        const wanted = input.lines ?? invoiceLines.map((l) => ({ line_no: l.lineNo, quantity: undefined }));
        const errors: FieldError[] = [];
        const lines: CreditLine[] = [];
        for (const [i, w] of wanted.entries()) {
          const line = invoiceLines.find((l) => l.lineNo === w.line_no);
          if (!line) {
            errors.push({ field: `lines[${i}].line_no`, location: 'body', message: `the invoice has no line ${w.line_no}` });
            continue;
          }
          const left = line.quantity - (already.get(line.lineNo) ?? 0);
          const quantity = w.quantity ?? left;
          if (quantity < 1 || quantity > left) {
            if (input.lines) errors.push({ field: `lines[${i}].quantity`, location: 'body', message: `at most ${left} of line ${line.lineNo} can still be credited` });
            continue;
          }
          // The same line twice in one request shares what is left of it.
          already.set(line.lineNo, (already.get(line.lineNo) ?? 0) + quantity);
          lines.push({
            invoiceLineNo: line.lineNo,
            description: line.description,
            quantity,
            unitAmount: line.unitAmount,
            taxBehavior: line.taxBehavior,
            vatRate: line.vatRate,
            priceId: line.priceId,
            periodStart: line.periodStart,
            periodEnd: line.periodEnd,
          });
        }
        if (errors.length > 0) throw invalid(errors);
        if (lines.length === 0) throw new DomainError('invalid_state', 'Nothing on the invoice is left to credit');
        // `already` now includes this credit note's lines.
        const creditsTheRest = invoiceLines.every((l) => (already.get(l.lineNo) ?? 0) >= l.quantity);
        return issue(tx, tenant, invoice, lines, { reason: input.reason ?? 'other', memo: input.memo ?? null, metadata: input.metadata ?? {}, creditsTheRest });
      });
    },

    async get(tenant: Caller, id: string): Promise<CreditNote> {
      const row = await store.findCreditNote(queryableFor(db, tenant), tenant.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such credit note: ${id}`);
      return row;
    },

    /** The credit note as a document to render, with the parties as on the invoice it credits. */
    async document(tenant: Caller, id: string): Promise<InvoiceDocument> {
      const q = queryableFor(db, tenant);
      const cn = await store.findCreditNote(q, tenant.merchantId, id);
      if (!cn) throw new DomainError('not_found', `No such credit note: ${id}`);
      const invoice = (await store.findInvoice(q, tenant.merchantId, cn.invoiceId))!;
      return {
        kind: 'credit_note',
        locale: invoice.locale,
        id: cn.id,
        number: cn.number,
        status: cn.status,
        currency: cn.currency,
        issueDate: cn.issueDate,
        dueDate: null,
        periodStart: null,
        periodEnd: null,
        seller: invoice.seller ?? sellerOf(await merchants.get(tenant)),
        buyer: invoice.buyer!,
        reverseCharge: invoice.reverseCharge,
        lines: cn.lines.map((l) => ({ ...documentLine(l), unitAmountExclVat: unitAmountExclVat(l), periodStart: null, periodEnd: null })),
        vatBreakdown: cn.vatBreakdown,
        subtotal: cn.subtotal,
        vatTotal: cn.vatTotal,
        total: cn.total,
        rounding: cn.rounding,
        amountDue: cn.amount,
        amountPaid: 0,
        amountCredited: 0,
        amountRemaining: 0,
        ocrReference: null,
        paymentTermsDays: invoice.paymentTermsDays,
        lateInterestText: null,
        creditedInvoiceNumber: invoice.number,
        creditedInvoiceRemaining: cn.invoiceAmountRemaining,
        memo: cn.memo,
      };
    },

    async list(tenant: Caller, filter: { invoiceId?: string | undefined }, page: PageParams): Promise<Page<CreditNote>> {
      return toPage(await store.listCreditNotes(queryableFor(db, tenant), tenant.merchantId, filter, page), page);
    },
  };
}
export type CreditNoteService = ReturnType<typeof createCreditNoteService>;
