// A ReminderContext from plain data: the dunning service gathers the facts, this formats them in
// the message's locale with the invoice renderer's helpers, so a reminder shows amounts, dates and
// Swish payloads exactly as the invoice did.
import type { TemplateName, Tone } from '../../domain/dunning-policy.ts';
import { formatDate, formatMoney, formatSwishNumber } from '../invoices/render/format.ts';
import { swishQrText } from '../invoices/render/swish-qr.ts';
import type { ReminderContext, ReminderInvoiceContext } from './context.ts';

export type PaymentMethodType = ReminderContext['payment']['method'];

export interface ReminderInvoiceInput {
  id?: string | undefined; // for the pay link's {invoice_id}
  number: string;
  issueDate: string; // YYYY-MM-DD
  dueDate: string; // YYYY-MM-DD
  amountRemaining: number; // öre
  ocrReference: string | null;
  currency: string;
}

export interface ReminderContextInput {
  locale: 'sv' | 'en';
  tone: Tone;
  step: { key: string; kind: TemplateName };
  customer: { name: string };
  merchant: {
    legalName?: string | null | undefined;
    name: string;
    contactEmail?: string | null | undefined;
    contactPhone?: string | null | undefined;
    bankgiro?: string | null | undefined;
    swishNumber?: string | null | undefined;
  };
  invoices: ReminderInvoiceInput[]; // at least one
  feeOre: number | null;
  interestOre: number | null;
  interestRateBp: number | null; // yearly, e.g. 1000 for 10 %; null when none is charged
  paymentMethod: PaymentMethodType;
  // e.g. "https://pay.example.se/{invoice_id}?ocr={ocr}"; {invoice_id}, {number} and {ocr} are filled in.
  payLinkPattern: string | null;
  helpPaymentPlan: boolean;
}

/** Builds the context; throws a RangeError for no invoices or invoices in different currencies. */
export function buildReminderContext(input: ReminderContextInput): ReminderContext {
  const { locale } = input;
  if (input.invoices.length === 0) throw new RangeError('buildReminderContext: at least one invoice is needed');
  const currency = input.invoices[0]!.currency;
  if (input.invoices.some((i) => i.currency !== currency)) throw new RangeError('buildReminderContext: invoices in different currencies');
  const money = (ore: number) => formatMoney(ore, currency, locale);
  // Earliest due first (then by number), so the list reads in the order the debts arose.
  const sorted = [...input.invoices].sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number));
  const invoices: ReminderInvoiceContext[] = sorted.map((i) => ({
    number: i.number,
    issue_date: formatDate(i.issueDate, locale),
    due_date: formatDate(i.dueDate, locale),
    amount_remaining: money(i.amountRemaining),
    amount_remaining_ore: i.amountRemaining,
    ocr: i.ocrReference,
  }));
  const totalOre = sorted.reduce((sum, i) => sum + i.amountRemaining, 0);
  const fee = input.feeOre !== null && input.feeOre > 0 ? input.feeOre : null;
  const interest = input.interestOre !== null && input.interestOre > 0 ? input.interestOre : null;
  const toPay = totalOre + (fee ?? 0) + (interest ?? 0);
  const first = sorted[0]!;
  const swishDigits = input.merchant.swishNumber?.replace(/\D/g, '') ?? '';
  const reference = first.ocrReference ?? first.number;
  return {
    locale,
    tone: input.tone,
    step: { key: input.step.key, kind: input.step.kind },
    customer: { name: input.customer.name },
    merchant: {
      name: input.merchant.legalName || input.merchant.name,
      email: input.merchant.contactEmail || null,
      phone: input.merchant.contactPhone || null,
    },
    invoices,
    invoice: invoices[0]!,
    total: money(totalOre),
    total_ore: totalOre,
    fee: fee === null ? null : money(fee),
    interest: interest === null ? null : money(interest),
    interest_rate: input.interestRateBp === null ? null : formatRate(input.interestRateBp, locale),
    amount_to_pay: money(toPay),
    currency,
    payment: {
      method: input.paymentMethod,
      bankgiro: input.merchant.bankgiro || null,
      ocr: first.ocrReference,
      swish_number: swishDigits === '' ? null : formatSwishNumber(swishDigits),
      // One QR pays one invoice: with several, each is paid with its own OCR reference.
      swish_qr: swishDigits !== '' && currency === 'SEK' && sorted.length === 1 && toPay > 0 ? swishQrText(swishDigits, toPay, reference) : null,
      // A link for one invoice would pay only the first of several; a pattern without placeholders is a general page.
      pay_link: sorted.length === 1 || !/\{(invoice_id|number|ocr)\}/.test(input.payLinkPattern ?? '') ? payLink(input.payLinkPattern, first) : null,
    },
    help: { payment_plan: input.helpPaymentPlan },
  };
}

/** 1000 bp -> sv "10,00 %", en "10.00%". */
export function formatRate(bp: number, locale: 'sv' | 'en'): string {
  const whole = Math.trunc(bp / 100);
  const fraction = String(Math.abs(bp) % 100).padStart(2, '0');
  return locale === 'sv' ? `${whole},${fraction}\u00a0%` : `${whole}.${fraction}%`;
}

// Only an http(s) URL becomes a link: a pattern that yields anything else (javascript:, a bare
// path) gives no link rather than a dangerous or broken one.
function payLink(pattern: string | null, invoice: ReminderInvoiceInput): string | null {
  if (pattern === null || pattern === '') return null;
  const values: Record<string, string> = { invoice_id: invoice.id ?? '', number: invoice.number, ocr: invoice.ocrReference ?? '' };
  const filled = pattern.replace(/\{(invoice_id|number|ocr)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
  try {
    const url = new URL(filled);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}
