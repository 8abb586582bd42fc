import { pgTable, text, boolean, timestamp, jsonb, primaryKey, index } from 'drizzle-orm/pg-core';
import { merchants } from '../merchants/schema.ts';

// The transactional outbox: one row per state change a merchant cares about, written in the
// same transaction as the change. Webhook deliveries are derived from it, never the reverse.
export const events = pgTable(
  'events',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    type: text('type').notNull(),
    apiVersion: text('api_version').notNull(),
    livemode: boolean('livemode').notNull(),
    objectId: text('object_id').notNull(),
    // The event resource as delivered: { object, previous_attributes? } at the time of the change.
    data: jsonb('data').$type<{ object: Record<string, unknown>; previous_attributes?: Record<string, unknown> }>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('events_merchant_type_idx').on(t.merchantId, t.type, t.id),
    index('events_merchant_object_idx').on(t.merchantId, t.objectId, t.id),
  ],
);
