import { pgTable, text, timestamp, jsonb, boolean, bigint, integer, primaryKey, index, foreignKey } from 'drizzle-orm/pg-core';
import { merchants } from '../merchants/schema.ts';

export const products = pgTable(
  'products',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    active: boolean('active').notNull(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    // merchant_id leads every key so the table can later be distributed by merchant.
    primaryKey({ columns: [t.merchantId, t.id] }),
  ],
);

// A price never changes what it charges: amounts, currency, tax and recurrence are fixed at
// creation, so invoices and subscriptions that reference it stay explainable. A new price replaces it.
export const prices = pgTable(
  'prices',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    productId: text('product_id').notNull(),
    active: boolean('active').notNull(),
    currency: text('currency').notNull(),
    // Minor units (öre for SEK); up to 10^10 does not fit a 32-bit integer.
    unitAmount: bigint('unit_amount', { mode: 'number' }).notNull(),
    taxBehavior: text('tax_behavior', { enum: ['exclusive', 'inclusive'] }).notNull(),
    vatRate: integer('vat_rate').$type<0 | 6 | 12 | 25>().notNull(),
    type: text('type', { enum: ['recurring', 'one_time'] }).notNull(),
    recurringInterval: text('recurring_interval', { enum: ['month', 'quarter', 'year'] }),
    recurringIntervalCount: integer('recurring_interval_count'),
    nickname: text('nickname'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    // The product must belong to the same merchant: the key includes merchant_id.
    foreignKey({ name: 'prices_product_fk', columns: [t.merchantId, t.productId], foreignColumns: [products.merchantId, products.id] }),
    index('prices_merchant_product_idx').on(t.merchantId, t.productId, t.id),
  ],
);
