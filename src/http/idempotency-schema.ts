import { pgTable, text, integer, timestamp, primaryKey, index } from 'drizzle-orm/pg-core';
import { merchants } from '../modules/merchants/schema.ts';

// One row per (merchant, Idempotency-Key): written in the same transaction as the request's own
// writes, so a stored response exists exactly when the work it describes committed.
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    statusCode: integer('status_code').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.key] }), index('idempotency_keys_expires_at_idx').on(t.expiresAt)],
);
