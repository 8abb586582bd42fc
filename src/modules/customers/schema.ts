import { pgTable, text, timestamp, jsonb, primaryKey, uniqueIndex, index, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { testClocks } from '../test-clocks/schema.ts';

export const customers = pgTable(
  'customers',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    type: text('type', { enum: ['person', 'company'] }).notNull(),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    // Normalised (12 digits for persons, NNNNNN-NNNN for companies); masked in every response.
    nationalId: text('national_id'),
    nationalIdKind: text('national_id_kind', { enum: ['personnummer', 'samordningsnummer', 'organisationsnummer'] }),
    vatNumber: text('vat_number'),
    addressLine1: text('address_line1'),
    addressLine2: text('address_line2'),
    postalCode: text('postal_code'),
    city: text('city'),
    country: text('country'),
    locale: text('locale', { enum: ['sv', 'en'] }).notNull(),
    externalId: text('external_id'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
    // Test mode only: the test clock whose time this customer's billing follows (set at creation).
    testClockId: text('test_clock_id'),
  },
  (t) => [
    // merchant_id leads every key so the table can later be distributed by merchant.
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('customers_merchant_external_id_key').on(t.merchantId, t.externalId).where(sql`external_id is not null`),
    index('customers_merchant_email_idx').on(t.merchantId, t.email),
    index('customers_merchant_national_id_idx').on(t.merchantId, t.nationalId),
    index('customers_test_clock_idx').on(t.merchantId, t.testClockId).where(sql`test_clock_id is not null`),
    foreignKey({ name: 'customers_test_clock_fk', columns: [t.merchantId, t.testClockId], foreignColumns: [testClocks.merchantId, testClocks.id] }),
  ],
);
