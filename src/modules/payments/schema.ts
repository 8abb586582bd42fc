import { pgTable, text, timestamp, jsonb, bigint, integer, boolean, date, primaryKey, index, uniqueIndex, check, foreignKey, customType } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { customers } from '../customers/schema.ts';

export const PAYMENT_STATUSES = ['matched', 'unmatched', 'refunded'] as const;
export const PAYMENT_METHODS = ['bankgiro', 'swish', 'card', 'autogiro', 'bank_transfer', 'cash', 'other'] as const;
// How the payment found its owner: named in the request, by its reference, by amount + payer, by hand.
export const MATCH_KINDS = ['invoice', 'customer', 'ocr', 'rf', 'amount_and_payer', 'manual'] as const;
export const PAYMENT_FILE_STATUSES = ['processing', 'completed', 'failed'] as const;
export const PAYMENT_FILE_FORMATS = ['bgmax', 'camt054'] as const;
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

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

// An imported bank file (POST /v1/payment-files): the bytes as received, what the parser read from
// them at upload, and the import's progress and outcome. One row per merchant and file content
// (sha256): the same file uploaded again is this row. The import job records the file's payments
// in batches and moves transactions_done forward in the same transaction as each batch.
export const paymentFiles = pgTable(
  'payment_files',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    livemode: boolean('livemode').notNull(),
    status: text('status', { enum: PAYMENT_FILE_STATUSES }).notNull(),
    format: text('format', { enum: PAYMENT_FILE_FORMATS }).notNull(),
    version: text('version').notNull(),
    contentType: text('content_type'),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    content: bytea('content').notNull(),
    payeeAccounts: jsonb('payee_accounts').$type<string[]>().notNull(),
    // As the file states it (BgMax TK01 local time, camt CreDtTm); text, never reinterpreted.
    fileCreatedAt: text('file_created_at'),
    isTest: boolean('is_test').notNull(),
    // From the file (at upload): payments to record and deductions left for manual handling.
    paymentCount: integer('payment_count').notNull(),
    paymentAmount: money('payment_amount'),
    deductionCount: integer('deduction_count').notNull(),
    deductionAmount: money('deduction_amount'),
    // Progress: the first transactions_done payments (in file order) are recorded.
    transactionsDone: integer('transactions_done').notNull(),
    // As recorded: new payments matched / unmatched, and those already recorded (same bank key).
    matchedCount: integer('matched_count').notNull(),
    matchedAmount: money('matched_amount'),
    unmatchedCount: integer('unmatched_count').notNull(),
    unmatchedAmount: money('unmatched_amount'),
    duplicateCount: integer('duplicate_count').notNull(),
    duplicateAmount: money('duplicate_amount'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('payment_files_sha256').on(t.merchantId, t.sha256),
    index('payment_files_processing_idx').on(t.status).where(sql`status = 'processing'`),
    check('payment_files_progress', sql`transactions_done >= 0 and transactions_done <= payment_count and matched_count + unmatched_count + duplicate_count = transactions_done`),
  ],
);
