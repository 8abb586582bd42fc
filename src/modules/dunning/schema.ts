import { pgTable, text, timestamp, jsonb, bigint, integer, boolean, date, primaryKey, index, uniqueIndex, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { invoices } from '../invoices/schema.ts';
import type { DunningRules, DunningStep } from '../../domain/dunning-policy.ts';

// A merchant's reminder process: ordered steps (offsets from the due date) and the rules every
// step obeys (quiet hours, the due-date cut-off, fee, interest, gaps). One is the default; a
// customer can be given another.
export const dunningPolicies = pgTable(
  'dunning_policies',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    name: text('name').notNull(),
    isDefault: boolean('is_default').notNull(),
    // payment_plan: the gentler built-in policy every payment plan instalment follows (one per merchant).
    purpose: text('purpose', { enum: ['dunning', 'payment_plan'] }).notNull().default('dunning'),
    steps: jsonb('steps').$type<DunningStep[]>().notNull(),
    rules: jsonb('rules').$type<DunningRules>().notNull(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    // One default per merchant, whatever two concurrent requests do.
    uniqueIndex('dunning_policies_default_key').on(t.merchantId).where(sql`is_default`),
    uniqueIndex('dunning_policies_payment_plan_key').on(t.merchantId).where(sql`purpose = 'payment_plan'`),
  ],
);

// paused: the invoice is in a payment plan; the case goes on from the same step if the plan defaults.
export const CASE_STATUSES = ['active', 'disputed', 'closed', 'escalated', 'paused'] as const;

// One row per open invoice with a due date: where it is in its policy. The row is the sweep's
// work queue (next_action_at by business time), and its lock serialises two workers.
// shift_seconds is how far later steps move when a step went out late (downtime, a gap, a
// collection in progress): later steps keep their spacing instead of piling up.
export const dunningCases = pgTable(
  'dunning_cases',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    invoiceId: text('invoice_id').notNull(),
    customerId: text('customer_id').notNull(),
    policyId: text('policy_id').notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull(),
    // Index into the policy's steps of the next step to send.
    nextStep: integer('next_step').notNull(),
    nextActionAt: timestamp('next_action_at', { withTimezone: true, mode: 'date' }),
    shiftSeconds: integer('shift_seconds').notNull().default(0),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true, mode: 'date' }),
    // Escalation held by the merchant: stopped for good, or not before a time.
    escalationStopped: boolean('escalation_stopped').notNull().default(false),
    escalationPostponedUntil: timestamp('escalation_postponed_until', { withTimezone: true, mode: 'date' }),
    disputedAt: timestamp('disputed_at', { withTimezone: true, mode: 'date' }),
    disputeReason: text('dispute_reason'),
    // The reminder fee charged on this invoice (at most once), öre.
    feeAmount: bigint('fee_amount', { mode: 'number' }).notNull().default(0),
    feeChargedAt: timestamp('fee_charged_at', { withTimezone: true, mode: 'date' }),
    closedReason: text('closed_reason'),
    escalatedAt: timestamp('escalated_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.invoiceId] }),
    foreignKey({ name: 'dunning_cases_invoice_fk', columns: [t.merchantId, t.invoiceId], foreignColumns: [invoices.merchantId, invoices.id] }),
    index('dunning_cases_due_idx').on(t.nextActionAt).where(sql`status = 'active'`),
    index('dunning_cases_customer_idx').on(t.merchantId, t.customerId),
  ],
);

// The days whose incoming payment files have been read, per merchant (and per test clock, whose
// day differs from the real one): the due-date reminder waits for them (or for the cut-off).
export const paymentReadDays = pgTable(
  'payment_read_days',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    // '' for real time, else the test clock's id.
    clockKey: text('clock_key').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.clockKey, t.day] })],
);
