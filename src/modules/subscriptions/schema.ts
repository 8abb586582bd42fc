import { pgTable, text, timestamp, jsonb, boolean, integer, date, primaryKey, index, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { customers } from '../customers/schema.ts';

export const SUBSCRIPTION_STATUSES = ['scheduled', 'trialing', 'active', 'paused', 'canceled'] as const;
export const CANCELLATION_REASONS = ['too_expensive', 'switched_provider', 'no_longer_needed', 'payment_problems', 'unhappy_with_service', 'other'] as const;
export const CANCELLATION_INITIATORS = ['customer', 'merchant', 'involuntary'] as const;

// Dates are calendar dates in the merchant's time zone; a period is [start, end).
export const subscriptions = pgTable(
  'subscriptions',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    status: text('status', { enum: SUBSCRIPTION_STATUSES }).notNull(),
    currency: text('currency').notNull(),
    // month = 1, quarter = 3, year = 12, times the price's interval count.
    intervalMonths: integer('interval_months').notNull(),
    // Day of month periods start on; 29–31 fall on the last day of shorter months.
    billingAnchorDay: integer('billing_anchor_day').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    trialEnd: date('trial_end', { mode: 'string' }),
    currentPeriodStart: date('current_period_start', { mode: 'string' }),
    currentPeriodEnd: date('current_period_end', { mode: 'string' }),
    // Start of the next period to invoice; the billing run's work list. Null when nothing is left to bill.
    nextBillDate: date('next_bill_date', { mode: 'string' }),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull(),
    cancelAt: date('cancel_at', { mode: 'string' }),
    canceledAt: timestamp('canceled_at', { withTimezone: true, mode: 'date' }),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    cancellationReason: text('cancellation_reason', { enum: CANCELLATION_REASONS }),
    cancellationFeedback: text('cancellation_feedback'),
    cancellationInitiator: text('cancellation_initiator', { enum: CANCELLATION_INITIATORS }),
    pausedAt: timestamp('paused_at', { withTimezone: true, mode: 'date' }),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'subscriptions_customer_fk', columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
    index('subscriptions_customer_idx').on(t.merchantId, t.customerId, t.id),
    // The billing run walks what is due, per merchant, oldest period first.
    index('subscriptions_due_idx').on(t.merchantId, t.nextBillDate, t.id).where(sql`status in ('scheduled', 'trialing', 'active') and next_bill_date is not null`),
  ],
);

export const subscriptionItems = pgTable(
  'subscription_items',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    priceId: text('price_id').notNull(),
    quantity: integer('quantity').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ name: 'subscription_items_subscription_fk', columns: [t.merchantId, t.subscriptionId], foreignColumns: [subscriptions.merchantId, subscriptions.id] }),
    index('subscription_items_subscription_idx').on(t.merchantId, t.subscriptionId),
  ],
);
