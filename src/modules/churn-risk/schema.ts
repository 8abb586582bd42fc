import { pgTable, text, integer, timestamp, jsonb, primaryKey, index, foreignKey } from 'drizzle-orm/pg-core';
import { merchants } from '../merchants/schema.ts';
import { customers } from '../customers/schema.ts';
import type { ChurnReason, ChurnRiskLevel } from '../../domain/churn-risk.ts';

// The current churn risk of each customer (src/domain/churn-risk.ts). The row's lock serialises
// two recomputes of one customer, so a level change is stored, and its event recorded, once.
export const churnRiskScores = pgTable(
  'churn_risk_scores',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    customerId: text('customer_id').notNull(),
    score: integer('score').notNull(),
    level: text('level', { enum: ['low', 'medium', 'high'] }).$type<ChurnRiskLevel>().notNull(),
    reasons: jsonb('reasons').$type<ChurnReason[]>().notNull(),
    suggestedAction: text('suggested_action'),
    // Business time the signals were read as of (a test clock's for its customers).
    computedAt: timestamp('computed_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.customerId] }),
    foreignKey({ name: 'churn_risk_scores_customer_fk', columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
    // GET /v1/customers?churn_risk=high: a level's customers, riskiest first.
    index('churn_risk_scores_level_idx').on(t.merchantId, t.level, t.score, t.customerId),
    index('churn_risk_scores_computed_idx').on(t.computedAt),
  ],
);

// How far each merchant's events have been read for signal changes (the last event id handled).
export const churnRiskCursors = pgTable('churn_risk_cursors', {
  merchantId: text('merchant_id')
    .primaryKey()
    .references(() => merchants.id),
  lastEventId: text('last_event_id').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
});
