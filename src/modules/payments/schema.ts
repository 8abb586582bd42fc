import { pgTable, text, timestamp, jsonb, bigint, date, primaryKey, index, uniqueIndex, check, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { customers } from '../customers/schema.ts';

export const PAYMENT_STATUSES = ['matched', 'unmatched', 'refunded'] as const;
export const PAYMENT_METHODS = ['bankgiro', 'swish', 'card', 'autogiro', 'bank_transfer', 'cash', 'other'] as const;
// How the payment found its owner: named in the request, by its reference, by amount + payer, by hand.
export const MATCH_KINDS = ['invoice', 'customer', 'ocr', 'rf', 'amount_and_payer', 'manual'] as const;
export const BALANCE_TRANSACTION_TYPES = ['overpayment', 'applied_to_invoice', 'refund', 'manual_assignment'] as const;

const money = (name: string) => bigint(name, { mode: 'number' }).notNull();

/** What the payer's bank told about the payer; the national id is stored normalised, shown masked. */
export type Payer = {
  name: string | null;
  nationalId: string | null;
  bankgiro: string | null;
  account: string | null;
  email: string | null;
};

export const payments = pgTable(
  'payments',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    amount: money('amount'),
    currency: text('currency').notNull(),
    // The day the money arrived (booking date), in the merchant's calendar.
    date: date('date', { mode: 'string' }).notNull(),
    method: text('method', { enum: PAYMENT_METHODS }).notNull(),
    reference: text('reference'),
    payer: jsonb('payer').$type<Payer>().notNull(),
    customerId: text('customer_id'),
    invoiceId: text('invoice_id'),
    matchedBy: text('matched_by', { enum: MATCH_KINDS }),
    // amount = applied + credited + unapplied + refunded, always (the check below).
    amountApplied: money('amount_applied'),
    amountCredited: money('amount_credited'),
    amountUnapplied: money('amount_unapplied'),
    amountRefunded: money('amount_refunded'),
    // The bank's own key of the transaction (a bank-file import): recorded once, whatever retries.
    externalKey: text('external_key'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'payments_customer_fk', columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
    uniqueIndex('payments_external_key').on(t.merchantId, t.externalKey).where(sql`external_key is not null`),
    index('payments_status_idx').on(t.merchantId, t.status, t.id),
    index('payments_customer_idx').on(t.merchantId, t.customerId, t.id),
    index('payments_invoice_idx').on(t.merchantId, t.invoiceId, t.id),
    check('payments_amounts_add_up', sql`amount > 0 and amount_applied >= 0 and amount_credited >= 0 and amount_unapplied >= 0 and amount_refunded >= 0 and amount = amount_applied + amount_credited + amount_unapplied + amount_refunded`),
  ],
);

export const refunds = pgTable(
  'refunds',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    paymentId: text('payment_id').notNull(),
    amount: money('amount'),
    currency: text('currency').notNull(),
    reason: text('reason'),
    // Where the money came from (see domain/payment-allocation.ts splitRefund).
    fromUnapplied: money('from_unapplied'),
    fromCredit: money('from_credit'),
    fromInvoice: money('from_invoice'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'refunds_payment_fk', columns: [t.merchantId, t.paymentId], foreignColumns: [payments.merchantId, payments.id] }),
    index('refunds_payment_idx').on(t.merchantId, t.paymentId, t.id),
    check('refunds_amounts_add_up', sql`amount > 0 and amount = from_unapplied + from_credit + from_invoice`),
  ],
);

// The customer credit ledger: every change of customers.balance, with the balance after it.
export const customerBalanceTransactions = pgTable(
  'customer_balance_transactions',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    type: text('type', { enum: BALANCE_TRANSACTION_TYPES }).notNull(),
    // Positive adds credit, negative uses it.
    amount: money('amount'),
    currency: text('currency').notNull(),
    endingBalance: money('ending_balance'),
    paymentId: text('payment_id'),
    invoiceId: text('invoice_id'),
    refundId: text('refund_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'cbtxn_customer_fk', columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
    index('cbtxn_customer_idx').on(t.merchantId, t.customerId, t.id),
    check('cbtxn_ending_balance_not_negative', sql`ending_balance >= 0`),
  ],
);
