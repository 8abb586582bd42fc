// Building an invoice from its lines and the parties: pure functions shared by one-off drafts,
// finalisation and the billing run, so every invoice is computed the same way.
import { computeInvoiceTotals, type VatRate } from '../../domain/money.ts';
import { addDays, type CalendarDate } from '../../domain/calendar-date.ts';
import { nextBankDay } from '../../domain/bank-days.ts';
import { makeOcrReference } from '../../domain/ocr.ts';
import type { Merchant as MerchantRow } from '../merchants/service.ts';
import type { Customer as CustomerRow } from '../customers/service.ts';
import type { Buyer, Seller } from './document.ts';
import { effectiveDelivery, effectivePaymentMethod } from '../customers/choices.ts';
import { renderDelivery, renderPaymentMethod } from '../customers/choices-contract.ts';
import type { invoiceLines, invoices } from './schema.ts';

export type InvoiceRow = typeof invoices.$inferSelect;
export type InvoiceLineRow = typeof invoiceLines.$inferSelect;

/** A line before tax is computed. */
export interface LineInput {
  description: string;
  quantity: number;
  unitAmount: number;
  taxBehavior: 'exclusive' | 'inclusive';
  vatRate: number;
  priceId?: string | null;
  subscriptionItemId?: string | null;
  periodStart?: string | null;
  periodEnd?: string | null;
  proration?: boolean;
}

export function sellerOf(m: MerchantRow): Seller {
  const cityLine = [m.postalCode, m.city].filter(Boolean).join(' ');
  return {
    name: m.legalName ?? m.name,
    addressLines: [m.addressLine1, m.addressLine2, cityLine, m.country !== 'SE' ? m.country : null].filter((l): l is string => !!l),
    organisationNumber: m.organisationNumber,
    vatNumber: m.vatNumber,
    fSkatt: m.fSkatt,
    bankgiro: m.bankgiro,
    swishNumber: m.swishNumber,
    email: m.contactEmail,
    phone: m.contactPhone,
    registeredOffice: m.registeredOffice,
  };
}

/** The customer fields an invoice needs about its buyer. */
export type BuyerFields = Pick<
  CustomerRow,
  'id' | 'externalId' | 'type' | 'name' | 'vatNumber' | 'addressLine1' | 'addressLine2' | 'postalCode' | 'city' | 'country' | 'email' | 'paymentMethod' | 'delivery'
>;

export function buyerOf(c: BuyerFields): Buyer {
  const cityLine = [c.postalCode, c.city].filter(Boolean).join(' ');
  return {
    name: c.name,
    addressLines: [c.addressLine1, c.addressLine2, cityLine, c.country && c.country !== 'SE' ? c.country : null].filter((l): l is string => !!l),
    vatNumber: c.vatNumber,
    customerId: c.id,
    customerNumber: c.externalId,
    // The choices in force: finalisation freezes them with the rest of the buyer.
    paymentMethod: renderPaymentMethod(effectivePaymentMethod(c), c.paymentMethod === null),
    delivery: renderDelivery(effectiveDelivery(c), c.delivery === null),
  };
}

/**
 * Reverse charge (omvänd betalningsskyldighet): a business buyer registered for VAT in another EU
 * country pays the VAT itself, so the seller charges none and says so on the invoice.
 */
export function isReverseCharge(c: BuyerFields): boolean {
  return c.type === 'company' && !!c.vatNumber && !c.vatNumber.startsWith('SE') && !!c.country && c.country !== 'SE';
}

export type Amounts = Pick<
  InvoiceRow,
  'subtotal' | 'vatTotal' | 'total' | 'rounding' | 'amountDue' | 'amountRemaining' | 'vatBreakdown'
>;

/** Lines with their tax and the invoice's totals (money.ts's one rounding rule). */
export function priceLines(
  merchantId: string,
  invoiceId: string,
  inputs: readonly LineInput[],
  currency: string,
  reverseCharge: boolean,
): { lines: InvoiceLineRow[]; amounts: Amounts } {
  const taxed = inputs.map((l) => ({ ...l, vatRate: reverseCharge ? 0 : l.vatRate }));
  const totals = computeInvoiceTotals(
    taxed.map((l) => ({ quantity: l.quantity, unitAmount: l.unitAmount, taxBehavior: l.taxBehavior, vatRate: l.vatRate as VatRate })),
    currency,
  );
  const lines = taxed.map((l, i): InvoiceLineRow => {
    const t = totals.lines[i]!;
    return {
      merchantId,
      invoiceId,
      lineNo: i + 1,
      description: l.description,
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      taxBehavior: l.taxBehavior,
      vatRate: l.vatRate,
      net: t.net,
      vat: t.vat,
      gross: t.gross,
      priceId: l.priceId ?? null,
      subscriptionItemId: l.subscriptionItemId ?? null,
      periodStart: l.periodStart ?? null,
      periodEnd: l.periodEnd ?? null,
      proration: l.proration ?? false,
    };
  });
  return {
    lines,
    amounts: {
      subtotal: totals.subtotal,
      vatTotal: totals.vat,
      total: totals.total,
      rounding: totals.rounding,
      amountDue: totals.amountToPay,
      amountRemaining: Math.max(0, totals.amountToPay),
      vatBreakdown: totals.vatByRate.map((r) => ({ vatRate: r.vatRate, net: r.net, vat: r.vat })),
    },
  };
}

/** What a line shows on a document: quantity, price as quoted, VAT rate and the amounts. */
export function documentLine(l: Pick<InvoiceLineRow, 'description' | 'quantity' | 'unitAmount' | 'taxBehavior' | 'vatRate' | 'net' | 'vat' | 'gross'>) {
  const { description, quantity, unitAmount, taxBehavior, vatRate, net, vat, gross } = l;
  return { description, quantity, unitAmount, taxBehavior, vatRate, net, vat, gross };
}

/**
 * The unit price excluding VAT a document prints (mervärdesskattelagen 17 kap. 24 § 8): the price
 * as quoted when it excludes VAT, else the line's net per unit, to the öre (half away from zero),
 * so quantity × unit price matches the line amount.
 */
export function unitAmountExclVat(l: Pick<InvoiceLineRow, 'quantity' | 'unitAmount' | 'taxBehavior' | 'net'>): number {
  if (l.taxBehavior === 'exclusive' || l.quantity === 0) return l.unitAmount;
  const perUnit = l.net / l.quantity;
  return Math.sign(perUnit) * Math.round(Math.abs(perUnit));
}

/** The due date: issue date plus the terms, moved to the next Swedish bank day. */
export function dueDateFor(issueDate: CalendarDate, termsDays: number): CalendarDate {
  return nextBankDay(addDays(issueDate, termsDays));
}

export const invoiceSeries = (m: Pick<MerchantRow, 'invoiceNumberPrefix'>) => `invoice:${m.invoiceNumberPrefix}`;
export const creditNoteSeries = (m: Pick<MerchantRow, 'invoiceNumberPrefix'>) => `credit_note:${m.invoiceNumberPrefix}`;
export const OCR_SERIES = 'ocr';

/** What finalisation stamps on an invoice: number, OCR reference, issue and due date, parties. */
export function finalFields(
  m: MerchantRow,
  numberSeq: number,
  ocrSeq: number,
  issueDate: CalendarDate,
  termsDays: number,
): Pick<InvoiceRow, 'series' | 'numberSeq' | 'number' | 'ocrReference' | 'issueDate' | 'dueDate' | 'seller'> {
  return {
    series: m.invoiceNumberPrefix,
    numberSeq,
    number: `${m.invoiceNumberPrefix}${numberSeq}`,
    // At least 6 digits so references look like references; Luhn and (by setting) the length digit.
    ocrReference: makeOcrReference(ocrSeq, { lengthDigit: m.ocrLengthDigit, minLength: 6 }),
    issueDate,
    dueDate: dueDateFor(issueDate, termsDays),
    seller: sellerOf(m),
  };
}
