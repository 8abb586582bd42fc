// Locale formatting and the view model shared by the HTML and PDF renderers, so both show the
// same values and sentences in the same way. Everything here is display only: amounts come
// ready-made from the InvoiceDocument and are never recomputed.
import { addDays, calendarDate, compare, toParts } from '../../../domain/calendar-date.ts';
import { formatSek } from '../../../domain/money.ts';
import type { InvoiceDocument, Locale } from '../document.ts';
import { swishPayload } from './swish-qr.ts';

const NBSP = '\u00a0';

const MONTHS: Record<Locale, readonly string[]> = {
  sv: ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

const INTL_LOCALE: Record<Locale, string> = { sv: 'sv-SE', en: 'en-GB' };

/** Intl locale tag for a document locale ('sv-SE', 'en-GB'). */
export function intlLocale(locale: Locale): string {
  return INTL_LOCALE[locale];
}

/**
 * An amount in minor units for people: sv SEK '1 234,50 kr', en 'SEK 1,234.50', other currencies
 * by Intl with the ISO code ('1 234,50 EUR', 'EUR 1,234.50'). Separators inside the amount are
 * non-breaking spaces so an amount never wraps across lines.
 */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  if (currency === 'SEK' && locale === 'sv') return formatSek(minor).replaceAll(' ', NBSP);
  const nf = new Intl.NumberFormat(INTL_LOCALE[locale], { style: 'currency', currency, currencyDisplay: 'code' });
  // Format the exact decimal string rather than minor / 10^n, which is a float.
  return nf.format(minorToDecimal(minor, nf.resolvedOptions().maximumFractionDigits ?? 2) as Intl.StringNumericLiteral);
}

function minorToDecimal(minor: number, exponent: number): string {
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(-exponent)}` : '';
  return `${minor < 0 ? '-' : ''}${whole}${fraction}`;
}

/** sv: ISO '2026-11-25' (the usual form on Swedish invoices); en: '25 Nov 2026'. */
export function formatDate(iso: string, locale: Locale): string {
  const d = calendarDate(iso);
  if (locale === 'sv') return d;
  const { year, month, day } = toParts(d);
  return `${day} ${MONTHS.en[month - 1]} ${year}`;
}

/**
 * A period with an exclusive end, shown with its last day: 2026-11-01..2026-12-01 is
 * '1–30 nov 2026'; '15 nov – 14 dec 2026' across months; full dates across years.
 */
export function formatPeriod(start: string, endExclusive: string, locale: Locale): string {
  const first = calendarDate(start);
  const lastDay = addDays(calendarDate(endExclusive), -1);
  const last = compare(lastDay, first) < 0 ? first : lastDay;
  const a = toParts(first);
  const b = toParts(last);
  const month = (m: number) => MONTHS[locale][m - 1];
  if (first === last) return `${a.day} ${month(a.month)} ${a.year}`;
  if (a.year === b.year && a.month === b.month) return `${a.day}–${b.day} ${month(b.month)} ${b.year}`;
  if (a.year === b.year) return `${a.day} ${month(a.month)} – ${b.day} ${month(b.month)} ${b.year}`;
  return `${a.day} ${month(a.month)} ${a.year} – ${b.day} ${month(b.month)} ${b.year}`;
}

function formatVatRate(rate: number, locale: Locale): string {
  return locale === 'sv' ? `${rate}${NBSP}%` : `${rate}%`;
}

function formatQuantity(quantity: number, locale: Locale): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale]).format(quantity);
}

/** '1231181189' -> '123 118 11 89', the way Swish numbers are printed. */
export function formatSwishNumber(swishNumber: string): string {
  const digits = swishNumber.replace(/\D/g, '');
  return digits.length === 10 ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6, 8)} ${digits.slice(8)}` : digits;
}

interface Sentences {
  invoice: string;
  creditNote: string;
  draft: string;
  status: Partial<Record<string, string>>; // banners by document status
  fSkatt: string;
  reverseCharge: string;
  paymentTerms: (days: number) => string;
  lateInterest: string;
  // How the amount is collected when the customer does not pay it themselves.
  autogiro: (dueDate: string | null) => string;
  card: (last4: string) => string;
}

const SENTENCES: Record<Locale, Sentences> = {
  sv: {
    invoice: 'Faktura',
    creditNote: 'Kreditfaktura',
    draft: 'utkast',
    status: { draft: 'UTKAST', void: 'MAKULERAD', paid: 'BETALD' },
    fSkatt: 'Godkänd för F-skatt',
    reverseCharge: 'Omvänd betalningsskyldighet',
    paymentTerms: (days) => `Betalningsvillkor: ${days} ${days === 1 ? 'dag' : 'dagar'} netto`,
    lateInterest:
      'Vid betalning efter förfallodagen debiteras dröjsmålsränta enligt räntelagen (referensräntan + 8 procentenheter).',
    autogiro: (dueDate) => (dueDate === null ? 'Beloppet dras via autogiro på förfallodagen.' : `Beloppet dras via autogiro den ${dueDate}.`),
    card: (last4) => `Beloppet dras från kort •••• ${last4}.`,
  },
  en: {
    invoice: 'Invoice',
    creditNote: 'Credit note',
    draft: 'draft',
    status: { draft: 'DRAFT', void: 'VOID', paid: 'PAID' },
    fSkatt: 'Approved for F-tax',
    reverseCharge: 'Reverse charge',
    paymentTerms: (days) => `Payment terms: ${days} ${days === 1 ? 'day' : 'days'} net`,
    lateInterest:
      'If payment is made after the due date, late payment interest is charged under the Swedish Interest Act (räntelagen): the reference rate + 8 percentage points.',
    autogiro: (dueDate) => (dueDate === null ? 'The amount will be debited by autogiro on the due date.' : `The amount will be debited by autogiro on ${dueDate}.`),
    card: (last4) => `The amount will be charged to card •••• ${last4}.`,
  },
};

export interface PartyView {
  name: string;
  addressLines: string[];
  vatNumber: string | null;
}

export interface SellerView extends PartyView {
  organisationNumber: string | null;
  registeredOffice: string | null; // säte (aktiebolagslagen 28 kap. 1 §)
  fSkatt: string | null;
  email: string | null;
  phone: string | null;
}

export interface LineView {
  description: string;
  period: string | null;
  quantity: string;
  unitPrice: string; // excl. VAT, like the amount (mervärdesskattelagen 17 kap. 24 § 8)
  vatRate: string;
  amount: string; // excl. VAT, so the lines add up to the subtotal
}

export interface PaymentView {
  amount: string;
  dueDate: string | null;
  bankgiro: string | null;
  ocr: string | null;
  reference: string | null; // the invoice number, when there is no OCR reference to quote
  swish: { number: string; payload: string } | null;
  // Autogiro or card: how the amount will be collected (then no bankgiro, OCR or Swish is shown).
  collected: string | null;
}

export interface InvoiceView {
  lang: Locale;
  isCreditNote: boolean;
  title: string;
  documentName: string; // 'Faktura 2026-0042': page title and PDF Title
  status: string | null; // a banner for drafts, void and paid documents
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  period: string | null;
  customerNumber: string; // the merchant's own customer number (external_id), else our customer id
  creditedInvoiceNumber: string | null;
  creditedInvoiceRemaining: string | null; // credit notes: left to pay on the credited invoice
  seller: SellerView;
  buyer: PartyView;
  reverseCharge: string | null;
  payment: PaymentView | null; // invoices only: credit notes are not paid
  lines: LineView[];
  vatRows: { rate: string; net: string; vat: string }[];
  totals: {
    subtotal: string;
    vat: string;
    rounding: string | null;
    amountDue: string;
    paid: string | null;
    credited: string | null;
    remaining: string | null;
  };
  paymentTerms: string | null;
  lateInterest: string | null;
  memo: string | null;
}

export function invoiceView(doc: InvoiceDocument): InvoiceView {
  const { locale, currency } = doc;
  const s = SENTENCES[locale];
  const money = (minor: number) => formatMoney(minor, currency, locale);
  const date = (iso: string | null) => (iso === null ? null : formatDate(iso, locale));
  const isCreditNote = doc.kind === 'credit_note';
  const title = isCreditNote ? s.creditNote : s.invoice;
  const isDraft = doc.status === 'draft' || doc.number === null;
  const number = isDraft ? null : doc.number;
  const swish = swishPayload(doc);
  const settled = doc.amountPaid !== 0 || doc.amountCredited !== 0;
  // The payment method in force when the invoice was finalised (invoices from before choices: none).
  const method = doc.buyer.paymentMethod;
  const collected = method?.type === 'autogiro' ? s.autogiro(date(doc.dueDate)) : method?.type === 'card' ? s.card(method.last4 ?? '') : null;

  return {
    lang: locale,
    isCreditNote,
    title,
    documentName: number === null ? `${title} (${s.draft})` : `${title} ${number}`,
    status: (isDraft ? s.status.draft : s.status[doc.status]) ?? null,
    number,
    issueDate: date(doc.issueDate),
    dueDate: date(doc.dueDate),
    period: doc.periodStart !== null && doc.periodEnd !== null ? formatPeriod(doc.periodStart, doc.periodEnd, locale) : null,
    customerNumber: doc.buyer.customerNumber ?? doc.buyer.customerId,
    creditedInvoiceNumber: doc.creditedInvoiceNumber,
    creditedInvoiceRemaining: isCreditNote && doc.creditedInvoiceRemaining !== null ? money(doc.creditedInvoiceRemaining) : null,
    seller: {
      name: doc.seller.name,
      addressLines: doc.seller.addressLines,
      vatNumber: doc.seller.vatNumber,
      organisationNumber: doc.seller.organisationNumber,
      registeredOffice: doc.seller.registeredOffice ?? null,
      fSkatt: doc.seller.fSkatt ? s.fSkatt : null,
      email: doc.seller.email,
      phone: doc.seller.phone ?? null,
    },
    buyer: { name: doc.buyer.name, addressLines: doc.buyer.addressLines, vatNumber: doc.buyer.vatNumber },
    reverseCharge: doc.reverseCharge ? s.reverseCharge : null,
    payment: isCreditNote
      ? null
      : collected !== null
        ? { amount: money(doc.amountRemaining), dueDate: date(doc.dueDate), bankgiro: null, ocr: null, reference: null, swish: null, collected }
        : {
            amount: money(doc.amountRemaining),
            dueDate: date(doc.dueDate),
            bankgiro: doc.seller.bankgiro,
            ocr: doc.ocrReference,
            reference: doc.ocrReference === null ? number : null,
            swish: swish === null ? null : { number: formatSwishNumber(doc.seller.swishNumber ?? ''), payload: swish },
            collected: null,
          },
    lines: doc.lines.map((line) => ({
      description: line.description,
      period:
        line.periodStart !== null && line.periodEnd !== null
          ? formatPeriod(line.periodStart, line.periodEnd, locale)
          : null,
      quantity: formatQuantity(line.quantity, locale),
      unitPrice: money(line.unitAmountExclVat),
      vatRate: formatVatRate(line.vatRate, locale),
      amount: money(line.net),
    })),
    vatRows: doc.vatBreakdown.map((row) => ({
      rate: formatVatRate(row.vatRate, locale),
      net: money(row.net),
      vat: money(row.vat),
    })),
    totals: {
      subtotal: money(doc.subtotal),
      vat: money(doc.vatTotal),
      rounding: doc.rounding === 0 ? null : money(doc.rounding),
      amountDue: money(doc.amountDue),
      paid: doc.amountPaid === 0 ? null : money(doc.amountPaid),
      credited: doc.amountCredited === 0 ? null : money(doc.amountCredited),
      remaining: settled && !isCreditNote ? money(doc.amountRemaining) : null,
    },
    paymentTerms: isCreditNote ? null : s.paymentTerms(doc.paymentTermsDays),
    lateInterest: isCreditNote ? null : (doc.lateInterestText ?? s.lateInterest),
    memo: doc.memo,
  };
}
