import type { ChurnRiskWeights } from '../../domain/churn-risk.ts';
import { pgTable, text, boolean, timestamp, integer, bigint, jsonb, index, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  livemode: boolean('livemode').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  // What an invoice and a payment need from the seller (Swedish invoice law, Bankgirot, Swish).
  legalName: text('legal_name'),
  addressLine1: text('address_line1'),
  addressLine2: text('address_line2'),
  postalCode: text('postal_code'),
  city: text('city'),
  country: text('country').notNull().default('SE'),
  organisationNumber: text('organisation_number'),
  vatNumber: text('vat_number'),
  fSkatt: boolean('f_skatt').notNull().default(false),
  bankgiro: text('bankgiro'),
  swishNumber: text('swish_number'),
  // Seller contact printed on invoices, and the registered office (säte) an aktiebolag must print.
  contactEmail: text('contact_email'),
  contactPhone: text('contact_phone'),
  registeredOffice: text('registered_office'),
  timeZone: text('time_zone').notNull().default('Europe/Stockholm'),
  paymentTermsDays: integer('payment_terms_days').notNull().default(30),
  invoiceNumberPrefix: text('invoice_number_prefix').notNull().default(''),
  ocrLengthDigit: boolean('ocr_length_digit').notNull().default(true),
  // The licensed debt collection agency escalated claims are handed to (Omtanke never collects).
  collectionAgency: jsonb('collection_agency').$type<{ name: string; organisation_number?: string | null; email?: string | null; reference?: string | null }>(),
  // The fee a payment plan may carry (öre; null: plans carry none), at most the legal cap.
  paymentPlanFee: bigint('payment_plan_fee', { mode: 'number' }),
  // The merchant's churn risk weights over the defaults (src/domain/churn-risk.ts); null: defaults.
  churnRiskWeights: jsonb('churn_risk_weights').$type<Partial<ChurnRiskWeights>>(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }),
});

// Keys are shown once and stored only as a SHA-256 hash: they carry 190+ random bits, so a slow
// password hash would only cost latency on every request without adding safety.
export const apiKeys = pgTable(
  'api_keys',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    name: text('name'),
    livemode: boolean('livemode').notNull(),
    secretHash: text('secret_hash').notNull(),
    // First characters of the secret (`sk_test_AbCd`) so a merchant can tell keys apart.
    redacted: text('redacted').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('api_keys_secret_hash_key').on(t.secretHash),
    index('api_keys_id_idx').on(t.id),
  ],
);
