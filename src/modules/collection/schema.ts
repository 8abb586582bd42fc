import { pgTable, text, timestamp, jsonb, bigint, integer, date, primaryKey, index, uniqueIndex, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { invoices } from '../invoices/schema.ts';
import type { PaymentMethod } from '../customers/choices.ts';

export const COLLECTION_METHODS = ['card', 'swish', 'autogiro'] as const;
// scheduled: waiting for its day (or a worker); processing: claimed, being submitted (leased);
// submitted: accepted by the processor, its result not in yet; succeeded: paid (payment_id);
// failed: declined or failed, the next attempt scheduled (next_attempt_at); exhausted: declined or
// failed with no attempt left (the invoice is left to the reminder process); canceled: the invoice
// was paid, voided or written off before the attempt was due.
export const ATTEMPT_STATUSES = ['scheduled', 'processing', 'submitted', 'succeeded', 'failed', 'exhausted', 'canceled'] as const;
export const OUTCOMES = ['succeeded', 'declined', 'failed'] as const;

// One row per try of collecting one invoice through a processor. The row is the work queue too:
// due by business time (due_at against the customer's test clock or the real clock), claimed with
// a lease (lease_until, real time) so that two workers never submit it at once; its id is the
// processor's idempotency key, so a resubmission after a crash is the same charge.
export const collectionAttempts = pgTable(
  'collection_attempts',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    customerId: text('customer_id').notNull(),
    attemptNumber: integer('attempt_number').notNull(),
    method: text('method', { enum: COLLECTION_METHODS }).notNull(),
    // The invoice's payment method (its snapshot at finalisation), with the processor's token.
    paymentMethod: jsonb('payment_method').$type<PaymentMethod>().notNull(),
    currency: text('currency').notNull(),
    // What is charged: the invoice's amount remaining when the attempt is first claimed.
    amount: bigint('amount', { mode: 'number' }),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull(),
    status: text('status', { enum: ATTEMPT_STATUSES }).notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    processor: text('processor').notNull(),
    processorReference: text('processor_reference'),
    outcome: text('outcome', { enum: OUTCOMES }),
    outcomeCode: text('outcome_code'),
    outcomeMessage: text('outcome_message'),
    paymentId: text('payment_id'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'collection_attempts_invoice_fk', columns: [t.merchantId, t.invoiceId], foreignColumns: [invoices.merchantId, invoices.id] }),
    // One attempt n per invoice, whatever retries, crashes or second workers do.
    uniqueIndex('collection_attempts_invoice_attempt_key').on(t.merchantId, t.invoiceId, t.attemptNumber),
    index('collection_attempts_invoice_idx').on(t.merchantId, t.invoiceId, t.id),
    index('collection_attempts_customer_idx').on(t.merchantId, t.customerId, t.id),
    // The workers' queue: what is still to be submitted or whose result is awaited.
    index('collection_attempts_due_idx').on(t.dueAt).where(sql`status in ('scheduled', 'processing', 'submitted')`),
  ],
);

// `payment_method.action_required` fires once per customer and payment method (its fingerprint):
// a second failing invoice of the same card does not ask again; a new card starts afresh.
export const collectionActionRequired = pgTable(
  'collection_action_required',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    customerId: text('customer_id').notNull(),
    methodKey: text('method_key').notNull(),
    attemptId: text('attempt_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.customerId, t.methodKey] })],
);

// The built-in test processor's own ledger (what a real processor keeps on its side): one charge
// per idempotency key, so a resubmitted attempt is the same charge with the same result.
export const testProcessorCharges = pgTable(
  'test_processor_charges',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    method: text('method', { enum: COLLECTION_METHODS }).notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    outcome: text('outcome', { enum: OUTCOMES }).notNull(),
    code: text('code'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), uniqueIndex('test_processor_charges_key').on(t.merchantId, t.idempotencyKey)],
);
