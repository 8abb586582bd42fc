import { pgTable, text, timestamp, primaryKey } from 'drizzle-orm/pg-core';
import { merchants } from '../merchants/schema.ts';

// A test-mode merchant's simulated "now" for the customers attached to it: their billing runs
// (and later reminders) happen when the clock is advanced, as if that time had passed.
export const testClocks = pgTable(
  'test_clocks',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    name: text('name'),
    frozenTime: timestamp('frozen_time', { withTimezone: true, mode: 'date' }).notNull(),
    // 'advancing' while the work due in a jump is being done.
    status: text('status', { enum: ['ready', 'advancing'] }).notNull(),
    // The time the clock is advancing to (frozen_time moves there step by step).
    targetTime: timestamp('target_time', { withTimezone: true, mode: 'date' }),
    // Where the advance in progress started: the whole jump is what webhook retries skip.
    advancedFrom: timestamp('advanced_from', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] })],
);
