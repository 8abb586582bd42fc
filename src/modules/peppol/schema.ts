import { pgTable, text, timestamp, integer, boolean, primaryKey, index, uniqueIndex, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { invoices } from '../invoices/schema.ts';

// queued: waiting for a worker (or its retry time); sending: claimed by a worker (leased);
// awaiting: accepted by the access point, delivery to the receiver not confirmed yet (its status
// is asked on later passes); delivered: the receiver's access point has it (invoice.sent);
// failed: rejected, or the document could not be built from the settings (invoice.delivery_failed).
export const PEPPOL_DELIVERY_STATUSES = ['queued', 'sending', 'awaiting', 'delivered', 'failed'] as const;

// One row per invoice to send over Peppol: the outbox and the work queue. Written in the
// finalising transaction; its unique key makes the invoice's hand-over happen once whatever
// retries, crashes or second workers do; its id is the message id the access point dedupes on.
export const peppolDeliveries = pgTable(
  'peppol_deliveries',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    livemode: boolean('livemode').notNull(),
    invoiceId: text('invoice_id').notNull(),
    customerId: text('customer_id').notNull(),
    // The receiver as the invoice recorded it (the customer's peppol delivery at finalisation).
    participantId: text('participant_id').notNull(),
    status: text('status', { enum: PEPPOL_DELIVERY_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    accessPoint: text('access_point').notNull(),
    // The access point's id of the transmission, once accepted.
    transmissionId: text('transmission_id'),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'peppol_deliveries_invoice_fk', columns: [t.merchantId, t.invoiceId], foreignColumns: [invoices.merchantId, invoices.id] }),
    uniqueIndex('peppol_deliveries_invoice_key').on(t.merchantId, t.invoiceId),
    // The workers' queue: what is still to be sent or confirmed.
    index('peppol_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status in ('queued', 'sending', 'awaiting')`),
  ],
);

// The built-in test access point's side: every document it was handed, once per message id (a
// resend after a crash is recognised, as a real access point recognises its message ids).
export const peppolTestTransmissions = pgTable(
  'peppol_test_transmissions',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    messageId: text('message_id').notNull(),
    sender: text('sender').notNull(),
    receiver: text('receiver').notNull(),
    document: text('document').notNull(),
    // How often the message id was handed over (more than once only after a crash or a timeout).
    received: integer('received').notNull().default(1),
    statusChecks: integer('status_checks').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), uniqueIndex('peppol_test_transmissions_message_key').on(t.merchantId, t.messageId)],
);
