import { pgTable, text, boolean, timestamp, integer, primaryKey, index } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    // ['*'] means every type.
    enabledEvents: text('enabled_events').array().notNull(),
    status: text('status', { enum: ['enabled', 'disabled', 'deleted'] }).notNull(),
    disabledReason: text('disabled_reason'),
    // Sealed under SECRETS_KEY (./secrets.ts): the merchant can reveal it and we sign with it, so
    // it cannot be a hash. A plaintext `whsec_…` is a row from before encryption at rest.
    secret: text('secret').notNull(),
    // During a rotation the old secret signs too, until it expires.
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    // Start of the current run of failures (null after a success): 5 days of it disables.
    failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date' }),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('webhook_endpoints_failing_idx').on(t.failingSince)],
);

// One row per (event, endpoint): the delivery's state and when it is next due, in business time.
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    // A worker's claim (wall-clock): while it lasts no other worker takes the delivery; when a
    // worker dies mid-delivery the lease runs out and the delivery is tried again.
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date' }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.endpointId, t.eventId] }),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    // The claim walks each endpoint's due deliveries in order and counts its leased ones.
    index('webhook_deliveries_endpoint_due_idx').on(t.merchantId, t.endpointId, t.nextAttemptAt).where(sql`status = 'pending'`),
    index('webhook_deliveries_leased_idx').on(t.merchantId, t.endpointId).where(sql`status = 'pending' and lease_until is not null`),
    index('webhook_deliveries_event_idx').on(t.merchantId, t.eventId),
  ],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    attempt: integer('attempt').notNull(),
    url: text('url').notNull(),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    responseExcerpt: text('response_excerpt'),
    error: text('error'),
    succeeded: boolean('succeeded').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('webhook_attempts_delivery_idx').on(t.merchantId, t.endpointId, t.eventId, t.id),
  ],
);
