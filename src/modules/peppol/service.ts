// E-invoices (Peppol BIS Billing 3.0) of finalised invoices and issued credit notes. Every
// document is checked against the UBL schema and our implementation of the Peppol rules before
// it is served or sent: one the network would reject never leaves.
import { DomainError } from '../../kernel/errors.ts';
import type { Caller } from '../../db/unit-of-work.ts';
import { addDays, calendarDate } from '../../domain/calendar-date.ts';
import { buildUbl, type UblInput, type UblLine } from '../../domain/peppol/ubl.ts';
import type { InvoiceDocument } from '../invoices/document.ts';
import type { InvoiceService } from '../invoices/service.ts';
import type { CreditNoteService } from '../invoices/credit-notes.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { CustomerService } from '../customers/service.ts';
import { peppolParties } from './parties.ts';
import { validateUbl } from './validate.ts';

export type PeppolDeps = {
  invoices: Pick<InvoiceService, 'get' | 'document'>;
  creditNotes: Pick<CreditNoteService, 'get' | 'document'>;
  merchants: Pick<MerchantService, 'get'>;
  customers: Pick<CustomerService, 'get'>;
};

/** The day before an exclusive end date. */
const inclusiveEnd = (end: string) => addDays(calendarDate(end), -1);

function linesOf(doc: InvoiceDocument, period: { start: string; end: string } | null): UblLine[] {
  return doc.lines.map((l) => {
    const start = l.periodStart;
    const end = l.periodEnd ? inclusiveEnd(l.periodEnd) : null;
    // A line period is stated only within the document's (PEPPOL-EN16931-R110/R111).
    const within = !!start && !!end && start <= end && (!period || (start >= period.start && end <= period.end));
    return { description: l.description, quantity: l.quantity, net: l.net, vatRate: l.vatRate, periodStart: within ? start : null, periodEnd: within ? end : null };
  });
}

export function createPeppolService(deps: PeppolDeps) {
  const { invoices, creditNotes, merchants, customers } = deps;

  /** Builds and checks; throws peppol_document_invalid rather than return a document the network would reject. */
  async function checked(input: UblInput): Promise<string> {
    const xml = buildUbl(input);
    const v = await validateUbl(xml);
    if (!v.ok) {
      const what = [...v.schemaErrors.map((e) => `schema: ${e}`), ...v.findings.filter((f) => f.flag === 'fatal').map((f) => `${f.rule}: ${f.message}`)];
      throw new DomainError('peppol_document_invalid', `The e-invoice ${input.number} breaks ${what.join('; ')}`);
    }
    return xml;
  }

  const needsVat = (doc: InvoiceDocument) => doc.reverseCharge || doc.lines.some((l) => l.vatRate > 0);

  return {
    /** The UBL Invoice of a finalised invoice. */
    async invoiceUbl(tenant: Caller, id: string): Promise<{ number: string; xml: string }> {
      const inv = await invoices.get(tenant, id);
      if (inv.status === 'draft' || !inv.number || !inv.issueDate) {
        throw new DomainError('invalid_state', `Invoice ${id} is a draft: only a finalised invoice has an e-invoice (POST /v1/invoices/${id}/finalize)`);
      }
      const [doc, merchant, customer] = await Promise.all([invoices.document(tenant, id), merchants.get(tenant), customers.get(tenant, inv.customerId)]);
      const parties = peppolParties({ seller: doc.seller, buyer: doc.buyer }, merchant, customer, { needsVat: needsVat(doc), needsBankgiro: true });
      const period = doc.periodStart && doc.periodEnd ? { start: doc.periodStart, end: inclusiveEnd(doc.periodEnd) } : null;
      const xml = await checked({
        kind: 'invoice',
        number: inv.number,
        issueDate: inv.issueDate,
        dueDate: inv.dueDate,
        currency: inv.currency,
        note: doc.memo?.trim() || null,
        buyerReference: inv.metadata.buyer_reference?.trim() || parties.buyerReference,
        orderReference: inv.metadata.order_reference?.trim() || null,
        period,
        billingReference: null,
        seller: parties.seller,
        buyer: parties.buyer,
        payment: { bankgiro: parties.bankgiro!, ocr: inv.ocrReference, terms: `${inv.paymentTermsDays} dagar netto` },
        reverseCharge: inv.reverseCharge,
        lines: linesOf(doc, period),
        breakdown: doc.vatBreakdown,
        subtotal: inv.subtotal,
        vatTotal: inv.vatTotal,
        total: inv.total,
        prepaid: inv.amountFromBalance,
        rounding: inv.rounding,
        payable: inv.amountDue - inv.amountFromBalance,
      });
      return { number: inv.number, xml };
    },

    /** The UBL CreditNote of an issued credit note, referring to the invoice it credits. */
    async creditNoteUbl(tenant: Caller, id: string): Promise<{ number: string; xml: string }> {
      const cn = await creditNotes.get(tenant, id);
      const [doc, inv, merchant, customer] = await Promise.all([creditNotes.document(tenant, id), invoices.get(tenant, cn.invoiceId), merchants.get(tenant), customers.get(tenant, cn.customerId)]);
      const parties = peppolParties({ seller: doc.seller, buyer: doc.buyer }, merchant, customer, { needsVat: needsVat(doc), needsBankgiro: false });
      const xml = await checked({
        kind: 'credit_note',
        number: cn.number,
        issueDate: cn.issueDate,
        dueDate: null,
        currency: cn.currency,
        note: doc.memo?.trim() || null,
        buyerReference: inv.metadata.buyer_reference?.trim() || parties.buyerReference,
        orderReference: inv.metadata.order_reference?.trim() || null,
        period: null,
        billingReference: { number: inv.number!, issueDate: inv.issueDate },
        seller: parties.seller,
        buyer: parties.buyer,
        payment: null,
        reverseCharge: doc.reverseCharge,
        lines: linesOf(doc, null),
        breakdown: doc.vatBreakdown,
        subtotal: cn.subtotal,
        vatTotal: cn.vatTotal,
        total: cn.total,
        prepaid: 0,
        rounding: cn.rounding,
        payable: cn.amount,
      });
      return { number: cn.number, xml };
    },
  };
}
export type PeppolService = ReturnType<typeof createPeppolService>;
