import { pgTable, text, timestamp, jsonb, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { merchants } from '../merchants/schema.ts';
import type { Tone } from '../../domain/dunning-policy.ts';

export const EXPERIMENT_STATUSES = ['running', 'stopped'] as const;

/** One arm: the policy (null: the merchant's default) and tone (null: each step's own) its customers get, and its share. */
export type Arm = { key: string; policy: string | null; tone: Tone | null; weight: number };

// A merchant's tone or policy experiment: its customers without a policy of their own are split
// over the arms by a stable hash (src/domain/experiment-split.ts); nothing per customer is stored.
// Stopped, its winner applies to them until the merchant starts another.
export const experiments = pgTable(
  'experiments',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    name: text('name').notNull(),
    status: text('status', { enum: EXPERIMENT_STATUSES }).notNull(),
    arms: jsonb('arms').$type<Arm[]>().notNull(),
    winner: text('winner'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    stoppedAt: timestamp('stopped_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    // One running experiment per merchant: a customer is in one arm at a time.
    uniqueIndex('experiments_running_key').on(t.merchantId).where(sql`status = 'running'`),
  ],
);
