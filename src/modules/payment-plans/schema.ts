import { pgTable, text, timestamp, jsonb, bigint, integer, date, primaryKey, index, uniqueIndex, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { customers } from '../customers/schema.ts';
import { invoices } from '../invoices/schema.ts';

export const PLAN_STATUSES = ['active', 'completed', 'defaulted', 'canceled'] as const;
export const PLAN_INTERVALS = ['month', 'week'] as const;

const money = (name: string) => bigint(name, { mode: 'number' }).notNull();

// A payment plan: a customer's open invoices taken over and split into instalments, each an
// invoice of its own. next_check_at is the sweep's work queue (business time): when the earliest
// unpaid instalment would count as missed.
export const paymentPlans = pgTable(
  'payment_plans',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    status: text('status', { enum: PLAN_STATUSES }).notNull(),
    currency: text('currency').notNull(),
    interval: text('interval', { enum: PLAN_INTERVALS }).notNull(),
    // What the plan asks for: the invoices' remainder, late interest to the day it was agreed, the fee.
    principal: money('principal'),
    interest: money('interest'),
    fee: money('fee'),
    total: money('total'),
    feeAgreedAt: timestamp('fee_agreed_at', { withTimezone: true, mode: 'date' }),
    feeTermsVersion: text('fee_terms_version'),
    nextCheckAt: timestamp('next_check_at', { withTimezone: true, mode: 'date' }),
    // The instalment whose miss ended the plan (1-based).
    missedInstalment: integer('missed_instalment'),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'payment_plans_customer_fk', columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
    index('payment_plans_customer_idx').on(t.merchantId, t.customerId, t.id),
    index('payment_plans_check_idx').on(t.nextCheckAt).where(sql`status = 'active'`),
  ],
);

// The invoices a plan took over, in the order the plan's money pays them (earliest due first).
export const paymentPlanInvoices = pgTable(
  'payment_plan_invoices',
  {
    merchantId: text('merchant_id').notNull(),
    planId: text('plan_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    position: integer('position').notNull(),
    // Öre taken over (the invoice's remainder when the plan was made) and its interest to that day.
    amount: money('amount'),
    interest: money('interest'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.planId, t.invoiceId] }),
    foreignKey({ name: 'payment_plan_invoices_plan_fk', columns: [t.merchantId, t.planId], foreignColumns: [paymentPlans.merchantId, paymentPlans.id] }),
    foreignKey({ name: 'payment_plan_invoices_invoice_fk', columns: [t.merchantId, t.invoiceId], foreignColumns: [invoices.merchantId, invoices.id] }),
    index('payment_plan_invoices_invoice_idx').on(t.merchantId, t.invoiceId),
  ],
);

// The instalments: each is an invoice (numbered, OCR, PDF) that payments match like any other.
export const paymentPlanInstalments = pgTable(
  'payment_plan_instalments',
  {
    merchantId: text('merchant_id').notNull(),
    planId: text('plan_id').notNull(),
    seq: integer('seq').notNull(),
    invoiceId: text('invoice_id').notNull(),
    amount: money('amount'),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.planId, t.seq] }),
    foreignKey({ name: 'payment_plan_instalments_plan_fk', columns: [t.merchantId, t.planId], foreignColumns: [paymentPlans.merchantId, paymentPlans.id] }),
    foreignKey({ name: 'payment_plan_instalments_invoice_fk', columns: [t.merchantId, t.invoiceId], foreignColumns: [invoices.merchantId, invoices.id] }),
    uniqueIndex('payment_plan_instalments_invoice_key').on(t.merchantId, t.invoiceId),
  ],
);
