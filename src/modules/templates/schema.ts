import { pgTable, text, timestamp, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import { merchants } from '../merchants/schema.ts';

// A merchant's own wording for a reminder template, locale and tone; the built-in defaults apply
// wherever there is none.
export const messageTemplates = pgTable(
  'message_templates',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    id: text('id').notNull(),
    template: text('template').notNull(),
    locale: text('locale', { enum: ['sv', 'en'] }).notNull(),
    tone: text('tone', { enum: ['friendly', 'neutral', 'firm'] }).notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('message_templates_key').on(t.merchantId, t.template, t.locale, t.tone),
  ],
);
