import { pgTable, text, timestamp, jsonb, boolean, integer, bigint, date, primaryKey, index, uniqueIndex, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { customers } from '../customers/schema.ts';
import type { Buyer, Seller, VatBreakdownRow } from './document.ts';

export const INVOICE_STATUSES = ['draft', 'open', 'partially_paid', 'paid', 'void', 'uncollectible', 'in_collection', 'in_payment_plan'] as const;
export const BILLING_REASONS = ['manual', 'subscription_create', 'subscription_cycle', 'subscription_final', 'payment_plan'] as const;

const money = (name: string) => bigint(name, { mode: 'number' }).notNull();

export const invoices = pgTable(
  'invoices',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    subscriptionId: text('subscription_id'),
    billingReason: text('billing_reason', { enum: BILLING_REASONS }).notNull(),
    status: text('status', { enum: INVOICE_STATUSES }).notNull(),
    currency: text('currency').notNull(),
    // Legal numbering: series (the merchant's prefix) + a gap-free sequence allocated when finalised.
    series: text('series'),
    numberSeq: integer('number_seq'),
    number: text('number'),
    ocrReference: text('ocr_reference'),
    issueDate: date('issue_date', { mode: 'string' }),
    dueDate: date('due_date', { mode: 'string' }),
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }),
    subtotal: money('subtotal'),
    vatTotal: money('vat_total'),
    total: money('total'),
    rounding: money('rounding'),
    amountDue: money('amount_due'),
    amountPaid: money('amount_paid'),
    amountCredited: money('amount_credited'),
    // Customer credit (an earlier overpayment) used on this invoice when it was finalised.
    amountFromBalance: bigint('amount_from_balance', { mode: 'number' }).notNull().default(0),
    amountRemaining: money('amount_remaining'),
    // What a payment plan took over of this invoice (src/modules/payment-plans): all of the
    // remainder while the plan runs, what the plan paid of it once the plan ended; for an
    // instalment closed when its plan ended, what went back to the plan's invoices. So always
    // amount_remaining = amount_due − amount_paid − amount_from_balance − amount_credited − amount_plan.
    amountPlan: bigint('amount_plan', { mode: 'number' }).notNull().default(0),
    vatBreakdown: jsonb('vat_breakdown').$type<VatBreakdownRow[]>().notNull(),
    // Seller and buyer as they were when the invoice was finalised: a legal document does not
    // change when the merchant or customer later does.
    seller: jsonb('seller').$type<Seller>(),
    buyer: jsonb('buyer').$type<Buyer>(),
    reverseCharge: boolean('reverse_charge').notNull(),
    locale: text('locale', { enum: ['sv', 'en'] }).notNull(),
    paymentTermsDays: integer('payment_terms_days').notNull(),
    memo: text('memo'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    finalizedAt: timestamp('finalized_at', { withTimezone: true, mode: 'date' }),
    paidAt: timestamp('paid_at', { withTimezone: true, mode: 'date' }),
    voidedAt: timestamp('voided_at', { withTimezone: true, mode: 'date' }),
    markedUncollectibleAt: timestamp('marked_uncollectible_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'invoices_customer_fk', columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
    uniqueIndex('invoices_number_key').on(t.merchantId, t.series, t.numberSeq),
    uniqueIndex('invoices_ocr_key').on(t.merchantId, t.ocrReference),
    // Exactly one invoice per subscription and period, whatever crashes, retries or runs overlap.
    uniqueIndex('invoices_subscription_period_key')
      .on(t.merchantId, t.subscriptionId, t.periodStart)
      .where(sql`billing_reason in ('subscription_create', 'subscription_cycle')`),
    index('invoices_customer_idx').on(t.merchantId, t.customerId, t.id),
    index('invoices_subscription_idx').on(t.merchantId, t.subscriptionId, t.id),
  ],
);

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    merchantId: text('merchant_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    lineNo: integer('line_no').notNull(),
    description: text('description').notNull(),
    quantity: integer('quantity').notNull(),
    unitAmount: bigint('unit_amount', { mode: 'number' }).notNull(),
    taxBehavior: text('tax_behavior', { enum: ['exclusive', 'inclusive'] }).notNull(),
    vatRate: integer('vat_rate').notNull(),
    net: money('net'),
    vat: money('vat'),
    gross: money('gross'),
    priceId: text('price_id'),
    subscriptionItemId: text('subscription_item_id'),
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }),
    proration: boolean('proration').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.invoiceId, t.lineNo] }),
    foreignKey({ name: 'invoice_lines_invoice_fk', columns: [t.merchantId, t.invoiceId], foreignColumns: [invoices.merchantId, invoices.id] }),
  ],
);

// Charges waiting for the customer's next subscription invoice (prorations of a mid-period change).
export const pendingInvoiceItems = pgTable(
  'pending_invoice_items',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    invoiceId: text('invoice_id'),
    description: text('description').notNull(),
    quantity: integer('quantity').notNull(),
    unitAmount: bigint('unit_amount', { mode: 'number' }).notNull(),
    taxBehavior: text('tax_behavior', { enum: ['exclusive', 'inclusive'] }).notNull(),
    vatRate: integer('vat_rate').notNull(),
    priceId: text('price_id'),
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('pending_invoice_items_open_idx').on(t.merchantId, t.subscriptionId).where(sql`invoice_id is null`),
  ],
);

// Gap-free counters: a row per merchant and series, incremented inside the finalising transaction,
// so a rollback returns the number (a PostgreSQL sequence would not).
export const numberSeries = pgTable(
  'number_series',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    series: text('series').notNull(),
    lastValue: bigint('last_value', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.series] })],
);

export const CREDIT_NOTE_REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory', 'subscription_canceled', 'other'] as const;

export const creditNotes = pgTable(
  'credit_notes',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    customerId: text('customer_id').notNull(),
    status: text('status', { enum: ['issued', 'void'] }).notNull(),
    series: text('series').notNull(),
    numberSeq: integer('number_seq').notNull(),
    number: text('number').notNull(),
    currency: text('currency').notNull(),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    reason: text('reason', { enum: CREDIT_NOTE_REASONS }).notNull(),
    memo: text('memo'),
    subtotal: money('subtotal'),
    vatTotal: money('vat_total'),
    total: money('total'),
    rounding: money('rounding'),
    // What the credit takes off the invoice (total + rounding), positive.
    amount: money('amount'),
    // What was left to pay on the credited invoice right after this credit (frozen for the document).
    invoiceAmountRemaining: bigint('invoice_amount_remaining', { mode: 'number' }),
    vatBreakdown: jsonb('vat_breakdown').$type<VatBreakdownRow[]>().notNull(),
    lines: jsonb('lines').$type<CreditNoteLine[]>().notNull(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'credit_notes_invoice_fk', columns: [t.merchantId, t.invoiceId], foreignColumns: [invoices.merchantId, invoices.id] }),
    uniqueIndex('credit_notes_number_key').on(t.merchantId, t.series, t.numberSeq),
    index('credit_notes_invoice_idx').on(t.merchantId, t.invoiceId),
  ],
);

export interface CreditNoteLine {
  invoiceLineNo: number | null;
  description: string;
  quantity: number;
  unitAmount: number;
  taxBehavior: 'exclusive' | 'inclusive';
  vatRate: number;
  net: number;
  vat: number;
  gross: number;
}
