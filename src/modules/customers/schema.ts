import { pgTable, text, timestamp, jsonb, bigint, boolean, primaryKey, uniqueIndex, index, foreignKey, check } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import { testClocks } from '../test-clocks/schema.ts';
import type { Delivery, PaymentMethod } from './choices.ts';
import type { DeliveryResource, PaymentMethodResource } from './choices-contract.ts';

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
    // The customer's current choices; null while none was made (the defaults in choices.ts apply).
    // Every change is kept in customer_choice_changes.
    paymentMethod: jsonb('payment_method').$type<PaymentMethod>(),
    delivery: jsonb('delivery').$type<Delivery>(),
    // Welcome back: set when a former customer (archived, or every subscription ended) comes back.
    returnedAt: timestamp('returned_at', { withTimezone: true, mode: 'date' }),
    firstSubscribedAt: timestamp('first_subscribed_at', { withTimezone: true, mode: 'date' }),
    // Their subscribed spans before the last return, oldest first.
    earlierTenure: jsonb('earlier_tenure').$type<{ started_at: string; ended_at: string }[]>(),
    // Credit the customer holds (overpayments, payments assigned to it), in öre of balance_currency;
    // used on its next invoices. Written only through the payments module's credit ledger.
    balance: bigint('balance', { mode: 'number' }).notNull().default(0),
    balanceCurrency: text('balance_currency'),
    // Dunning: the customer's policy (null: the merchant's default), their agreement to a reminder
    // fee (a fee may be charged only if agreed no later than when the debt arose, and the terms
    // version they agreed to), and escalation held by the merchant for all their invoices.
    dunningPolicyId: text('dunning_policy_id'),
    reminderFeeAgreedAt: timestamp('reminder_fee_agreed_at', { withTimezone: true, mode: 'date' }),
    reminderFeeTermsVersion: text('reminder_fee_terms_version'),
    escalationStopped: boolean('escalation_stopped').notNull().default(false),
    escalationPostponedUntil: timestamp('escalation_postponed_until', { withTimezone: true, mode: 'date' }),
    // E-invoicing (Peppol): the buyer's reference (their order or reference person) on every
    // document, and whether they require one (public bodies do: a document without it is refused).
    buyerReference: text('buyer_reference'),
    buyerReferenceRequired: boolean('buyer_reference_required').notNull().default(false),
  },
  (t) => [
    // merchant_id leads every key so the table can later be distributed by merchant.
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('customers_merchant_external_id_key').on(t.merchantId, t.externalId).where(sql`external_id is not null`),
    index('customers_merchant_email_idx').on(t.merchantId, t.email),
    index('customers_merchant_national_id_idx').on(t.merchantId, t.nationalId),
    index('customers_test_clock_idx').on(t.merchantId, t.testClockId).where(sql`test_clock_id is not null`),
    check('customers_balance_not_negative', sql`balance >= 0`),
    foreignKey({ name: 'customers_test_clock_fk', columns: [t.merchantId, t.testClockId], foreignColumns: [testClocks.merchantId, testClocks.id] }),
  ],
);

/**
 * Every change of a customer's payment method or delivery, never overwritten: when (business time,
 * so a test clock's), from what, to what (the effective choices, defaults included), who and why.
 */
export const customerChoiceChanges = pgTable(
  'customer_choice_changes',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    kind: text('kind', { enum: ['payment_method', 'delivery'] }).notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    from: jsonb('from').$type<PaymentMethodResource | DeliveryResource>().notNull(),
    to: jsonb('to').$type<PaymentMethodResource | DeliveryResource>().notNull(),
    initiator: text('initiator', { enum: ['customer', 'merchant', 'system'] }).notNull(),
    reason: text('reason'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    // The history of one customer, newest first, pages by id.
    index('customer_choice_changes_customer_idx').on(t.merchantId, t.customerId, t.id),
    foreignKey({ name: 'customer_choice_changes_customer_fk', columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
  ],
);
