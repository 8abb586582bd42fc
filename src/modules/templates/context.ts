// What a reminder template may use: the only variables a template may name (checked on save).
// Amounts are preformatted strings in the message's locale ("1 234,50 kr"); raw öre are in *_ore.
export interface ReminderInvoiceContext {
  number: string;
  issue_date: string; // formatted date, e.g. "6 december 2026" / "6 December 2026"
  due_date: string;
  amount_remaining: string;
  amount_remaining_ore: number;
  ocr: string | null;
}

export interface ReminderContext {
  locale: 'sv' | 'en';
  tone: 'friendly' | 'neutral' | 'firm';
  step: { key: string; kind: 'pre_due' | 'due_date' | 'reminder' | 'final_reminder' };
  customer: { name: string };
  merchant: { name: string; email: string | null; phone: string | null };
  invoices: ReminderInvoiceContext[];
  // The invoice the message is about when it covers one; the first (earliest due) otherwise.
  invoice: ReminderInvoiceContext;
  // Sums over the invoices, plus the fee charged with this message and interest to date.
  total: string;
  total_ore: number;
  fee: string | null; // null when no fee is charged with this message
  interest: string | null; // null when the policy charges no interest or none has accrued
  interest_rate: string | null; // e.g. "10,00 %"
  amount_to_pay: string; // total + fee + interest
  currency: string;
  // How to pay: the invoice's method in force (autogiro/card: paid automatically; else transfer).
  payment: {
    method: 'bankgiro' | 'swish' | 'autogiro' | 'card' | 'e_invoice';
    bankgiro: string | null;
    ocr: string | null;
    swish_number: string | null;
    swish_qr: string | null; // Swish QR payload (C<number>;<amount>;<message>;0), null without Swish
    pay_link: string | null; // the merchant's pay link for this invoice, if it set a pattern
  };
  // The merchant offers a payment plan / help (friendly wording shows it).
  help: { payment_plan: boolean };
}
