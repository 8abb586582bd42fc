// The only place that queries message_templates. Every query is scoped by merchant.
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import type { TemplateName, Tone } from '../../domain/dunning-policy.ts';
import type { Locale } from './defaults.ts';
import { messageTemplates } from './schema.ts';

export type TemplateRow = typeof messageTemplates.$inferSelect;

export async function findOverride(q: Queryable, merchantId: string, template: TemplateName, locale: Locale, tone: Tone): Promise<TemplateRow | undefined> {
  const [row] = await q
    .select()
    .from(messageTemplates)
    .where(
      and(
        eq(messageTemplates.merchantId, merchantId),
        eq(messageTemplates.template, template),
        eq(messageTemplates.locale, locale),
        eq(messageTemplates.tone, tone),
      ),
    );
  return row;
}

export async function findById(q: Queryable, merchantId: string, id: string): Promise<TemplateRow | undefined> {
  const [row] = await q.select().from(messageTemplates).where(and(eq(messageTemplates.merchantId, merchantId), eq(messageTemplates.id, id)));
  return row;
}

/** A merchant's overrides: at most one per (template, locale, tone), so never more than 24. */
export function listOverrides(q: Queryable, merchantId: string): Promise<TemplateRow[]> {
  return q.select().from(messageTemplates).where(eq(messageTemplates.merchantId, merchantId)).orderBy(asc(messageTemplates.id));
}

/**
 * Creates the override or replaces the one for the same (template, locale, tone) in one statement,
 * so concurrent saves leave exactly one row (the last wins); a replaced override keeps its id.
 */
export async function upsert(q: Queryable, row: TemplateRow): Promise<{ row: TemplateRow; created: boolean }> {
  const [saved] = await q
    .insert(messageTemplates)
    .values(row)
    .onConflictDoUpdate({
      target: [messageTemplates.merchantId, messageTemplates.template, messageTemplates.locale, messageTemplates.tone],
      set: { subject: row.subject, html: row.html, text: row.text, updatedAt: row.updatedAt },
    })
    .returning({ ...getTableColumns(messageTemplates), created: sql<boolean>`(xmax = 0)` });
  // xmax is 0 on a freshly inserted row version, the updating transaction's id on an updated one.
  const { created, ...saved_row } = saved!;
  return { row: saved_row, created };
}

export async function remove(q: Queryable, merchantId: string, id: string): Promise<TemplateRow | undefined> {
  const [row] = await q.delete(messageTemplates).where(and(eq(messageTemplates.merchantId, merchantId), eq(messageTemplates.id, id))).returning();
  return row;
}
