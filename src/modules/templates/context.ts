// What a reminder template may use: the only variables a template may name (checked on save).
// Amounts are preformatted strings in the message's locale ("1 234,50 kr"); raw öre are in *_ore.
// Dates are formatted as on our invoices (format.ts): sv "2026-12-06", en "6 Dec 2026".
import type { TemplateName } from '../../domain/dunning-policy.ts';

export interface ReminderInvoiceContext {
  number: string;
  issue_date: string;
  due_date: string;
  amount_remaining: string;
  amount_remaining_ore: number;
  ocr: string | null;
}

export interface ReminderContext {
  locale: 'sv' | 'en';
  tone: 'friendly' | 'neutral' | 'firm';
  // kind: which message this is (the step's template), so one template can serve several steps.
  step: { key: string; kind: TemplateName };
  customer: { name: string };
  merchant: { name: string; email: string | null; phone: string | null };
  // Earliest due first.
  invoices: ReminderInvoiceContext[];
  // The invoice the message is about when it covers one; the first (earliest due) otherwise.
  invoice: ReminderInvoiceContext;
  // Sums over the invoices, plus the fee charged with this message and interest to date.
  total: string;
  total_ore: number;
  fee: string | null; // null when no fee is charged with this message
  interest: string | null; // null when the policy charges no interest or none has accrued
  interest_rate: string | null; // e.g. "10,00 %"; null when the policy charges no interest
  amount_to_pay: string; // total + fee + interest
  currency: string;
  // How to pay: the invoice's method in force (autogiro/card: paid automatically; else transfer).
  // The merchant's bankgiro and Swish number are given whatever the method, so a reminder after a
  // failed automatic payment can offer them.
  payment: {
    method: 'bankgiro' | 'swish' | 'autogiro' | 'card' | 'e_invoice';
    bankgiro: string | null;
    ocr: string | null; // the OCR reference of `invoice`
    swish_number: string | null; // formatted "123 118 11 89"
    // Swish QR payload (C<number>;<amount>;<message>;0) for amount_to_pay with invoice's OCR;
    // null without a Swish number, for other currencies, and when several invoices are due.
    swish_qr: string | null;
    pay_link: string | null; // the merchant's pay link for this invoice, if it set a pattern
  };
  // The merchant offers a payment plan / help (friendly wording shows it).
  help: { payment_plan: boolean };
}

// The context's shape, for the template checker: `true` is a value, `$each` an array of the shape.
// Typed against the interfaces, so a field added there must be added here (tsc says so).
export type ContextShape = true | { $each: ContextShape } | { [key: string]: ContextShape };
type ShapeOf<T> = T extends readonly (infer U)[] ? { $each: ShapeOf<U> } : T extends object ? { [K in keyof T]-?: ShapeOf<T[K]> } : true;

const INVOICE_SHAPE: ShapeOf<ReminderInvoiceContext> = {
  number: true,
  issue_date: true,
  due_date: true,
  amount_remaining: true,
  amount_remaining_ore: true,
  ocr: true,
};

export const CONTEXT_SHAPE: ShapeOf<ReminderContext> = {
  locale: true,
  tone: true,
  step: { key: true, kind: true },
  customer: { name: true },
  merchant: { name: true, email: true, phone: true },
  invoices: { $each: INVOICE_SHAPE },
  invoice: INVOICE_SHAPE,
  total: true,
  total_ore: true,
  fee: true,
  interest: true,
  interest_rate: true,
  amount_to_pay: true,
  currency: true,
  payment: { method: true, bankgiro: true, ocr: true, swish_number: true, swish_qr: true, pay_link: true },
  help: { payment_plan: true },
};
