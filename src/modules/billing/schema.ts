import { pgTable, text, timestamp, integer, primaryKey, index } from 'drizzle-orm/pg-core';
import { merchants } from '../merchants/schema.ts';

// One billing run for a merchant (or one test clock's customers): it invoices whatever is due as of
// `as_of`, batch by batch. The work list is the data itself, so a restart simply carries on.
export const billingRuns = pgTable(
  'billing_runs',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    testClockId: text('test_clock_id'),
    status: text('status', { enum: ['pending', 'running', 'completed', 'failed'] }).notNull(),
    trigger: text('trigger', { enum: ['api', 'schedule', 'test_clock'] }).notNull(),
    asOf: timestamp('as_of', { withTimezone: true, mode: 'date' }).notNull(),
    subscriptionsDue: integer('subscriptions_due').notNull(),
    invoicesCreated: integer('invoices_created').notNull(),
    subscriptionsEnded: integer('subscriptions_ended').notNull(),
    batches: integer('batches').notNull(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('billing_runs_unfinished_idx').on(t.status, t.createdAt)],
);
