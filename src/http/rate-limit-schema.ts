import { pgTable, text, doublePrecision, integer, timestamp, primaryKey } from 'drizzle-orm/pg-core';

// One token bucket per API key, shared by every API process (src/http/rate-limit-store.ts takes
// tokens from it with one atomic statement). The migration creates it UNLOGGED (drizzle-kit cannot say
// so): buckets are a few seconds of state, losing them in a crash only refills them, and skipping
// the WAL keeps the per-request write cheap. Keyed by (merchant_id, key_id) like all merchant data;
// no foreign keys, so the hot path checks nothing but its own row.
export const rateLimitBuckets = pgTable(
  'rate_limit_buckets',
  {
    merchantId: text('merchant_id').notNull(),
    keyId: text('key_id').notNull(),
    /** Tokens left at refilled_at, after the last take. */
    tokens: doublePrecision('tokens').notNull(),
    /** The database clock at the last take: refill is computed from here. */
    refilledAt: timestamp('refilled_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** How many tokens the last take got (what RETURNING tells the caller). */
    granted: integer('granted').notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.keyId] })],
);
