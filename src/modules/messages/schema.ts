import { pgTable, text, timestamp, jsonb, bigint, integer, boolean, primaryKey, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';

export const MESSAGE_CHANNELS = ['email', 'webhook'] as const;
// queued: waiting for the sender; sending: claimed by a sender (leased); sent: handed over (SMTP
// accepted it, or the reminder.requested event was recorded); stored: kept and written as an .eml
// file because no SMTP_URL is configured; bounced: SMTP refused it for good (5xx), a fallback
// message on the next allowed channel follows; failed: no channel left.
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'stored', 'bounced', 'failed'] as const;

// Every message Omtanke sends a customer, kept whole (what, to whom, when, why).
export const messages = pgTable(
  'messages',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    kind: text('kind', { enum: ['reminder'] }).notNull(),
    policyId: text('policy_id'),
    stepKey: text('step_key').notNull(),
    stepKind: text('step_kind').notNull(),
    tone: text('tone').notNull(),
    locale: text('locale', { enum: ['sv', 'en'] }).notNull(),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    // The delivery choice that picked the channel (email_pdf, kivra, ...).
    delivery: text('delivery').notNull(),
    toAddress: text('to_address'),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    attachPdf: boolean('attach_pdf').notNull(),
    // Stable for the message's life: a resend after a crash carries the same Message-ID.
    messageIdHeader: text('message_id_header').notNull(),
    currency: text('currency').notNull(),
    // What the message asks for: unpaid amounts, the fee charged with it, interest to date (öre).
    amountDue: bigint('amount_due', { mode: 'number' }).notNull(),
    feeAmount: bigint('fee_amount', { mode: 'number' }).notNull(),
    interestAmount: bigint('interest_amount', { mode: 'number' }).notNull(),
    status: text('status', { enum: MESSAGE_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    // The message this one replaces on another channel after a bounce.
    fallbackOf: text('fallback_of'),
    // The channels still allowed after this one, in order (the policy's fallback_channels when the
    // message was made): a bounce goes on to the first, none left means failed.
    fallbackChannels: jsonb('fallback_channels').$type<'webhook'[]>().notNull().default([]),
    // The experiment (exp_…) and arm the customer was in when it was made, while the experiment ran.
    experimentId: text('experiment_id'),
    experimentArm: text('experiment_arm'),
    // Business time (test clocks apply) the message was created for.
    businessTime: timestamp('business_time', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('messages_customer_idx').on(t.merchantId, t.customerId, t.id),
    // Reminder analytics: a merchant's messages by business time, and an experiment's.
    index('messages_business_time_idx').on(t.merchantId, t.businessTime),
    index('messages_experiment_idx').on(t.merchantId, t.experimentId).where(sql`experiment_id is not null`),
    // The sender's queue.
    index('messages_queued_idx').on(t.nextAttemptAt).where(sql`status in ('queued', 'sending')`),
  ],
);

// Which invoices a message covers (one message covers a customer's invoices at the same step).
// The unique key is the exactly-once guarantee: a step reaches an invoice once, whatever workers,
// retries or crashes do, because this row is written before anything is sent.
export const messageInvoices = pgTable(
  'message_invoices',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    messageId: text('message_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    stepKey: text('step_key').notNull(),
    amountRemaining: bigint('amount_remaining', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.messageId, t.invoiceId] }),
    uniqueIndex('message_invoices_step_key').on(t.merchantId, t.invoiceId, t.stepKey),
  ],
);
