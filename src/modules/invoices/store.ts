import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { bulkInsert } from '../../db/bulk.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { creditNotes, invoiceLines, invoices, pendingInvoiceItems } from './schema.ts';
import type { InvoiceLineRow, InvoiceRow } from './compose.ts';

export type CreditNoteRow = typeof creditNotes.$inferSelect;
export type InvoiceFilter = {
  customerId?: string | undefined;
  subscriptionId?: string | undefined;
  status?: InvoiceRow['status'] | undefined;
};

export async function insertInvoices(q: Queryable, rows: InvoiceRow[], lines: InvoiceLineRow[]): Promise<void> {
  await bulkInsert(q, invoices, rows);
  await bulkInsert(q, invoiceLines, lines);
}

export async function findInvoice(q: Queryable, merchantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<InvoiceRow | undefined> {
  const query = q.select().from(invoices).where(and(eq(invoices.merchantId, merchantId), eq(invoices.id, id)));
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function findLines(q: Queryable, merchantId: string, invoiceId: string): Promise<InvoiceLineRow[]> {
  return q
    .select()
    .from(invoiceLines)
    .where(and(eq(invoiceLines.merchantId, merchantId), eq(invoiceLines.invoiceId, invoiceId)))
    .orderBy(asc(invoiceLines.lineNo));
}

/** Lines of many invoices (a list page), grouped by invoice id. */
export async function findLinesOf(q: Queryable, merchantId: string, invoiceIds: string[]): Promise<Map<string, InvoiceLineRow[]>> {
  const out = new Map<string, InvoiceLineRow[]>();
  if (invoiceIds.length === 0) return out;
  const rows = await q
    .select()
    .from(invoiceLines)
    .where(and(eq(invoiceLines.merchantId, merchantId), inArray(invoiceLines.invoiceId, invoiceIds)))
    .orderBy(asc(invoiceLines.invoiceId), asc(invoiceLines.lineNo));
  for (const r of rows) {
    const list = out.get(r.invoiceId) ?? [];
    list.push(r);
    out.set(r.invoiceId, list);
  }
  return out;
}

export async function replaceLines(q: Queryable, merchantId: string, invoiceId: string, lines: InvoiceLineRow[]): Promise<void> {
  await q.delete(invoiceLines).where(and(eq(invoiceLines.merchantId, merchantId), eq(invoiceLines.invoiceId, invoiceId)));
  if (lines.length > 0) await q.insert(invoiceLines).values(lines);
}

export async function updateInvoice(q: Queryable, row: InvoiceRow): Promise<InvoiceRow> {
  const { merchantId, id, createdAt: _c, ...changes } = row;
  const [updated] = await q.update(invoices).set(changes).where(and(eq(invoices.merchantId, merchantId), eq(invoices.id, id))).returning();
  return updated!;
}

export async function deleteDraft(q: Queryable, merchantId: string, id: string): Promise<void> {
  await q.delete(invoiceLines).where(and(eq(invoiceLines.merchantId, merchantId), eq(invoiceLines.invoiceId, id)));
  await q.delete(invoices).where(and(eq(invoices.merchantId, merchantId), eq(invoices.id, id), eq(invoices.status, 'draft')));
}

export async function listInvoices(q: Queryable, merchantId: string, f: InvoiceFilter, page: PageParams): Promise<InvoiceRow[]> {
  return q
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.merchantId, merchantId),
        f.customerId ? eq(invoices.customerId, f.customerId) : undefined,
        f.subscriptionId ? eq(invoices.subscriptionId, f.subscriptionId) : undefined,
        f.status ? eq(invoices.status, f.status) : undefined,
        pageWhere(invoices.id, page),
      ),
    )
    .orderBy(pageOrder(invoices.id, page))
    .limit(page.limit + 1);
}

/** The latest subscription invoice covering `date` (for a prorated credit on cancellation). */
export async function findPeriodInvoice(q: Queryable, merchantId: string, subscriptionId: string, periodStart: string): Promise<InvoiceRow | undefined> {
  const [row] = await q
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.merchantId, merchantId),
        eq(invoices.subscriptionId, subscriptionId),
        eq(invoices.periodStart, periodStart),
        sql`billing_reason in ('subscription_create', 'subscription_cycle')`,
      ),
    );
  return row;
}

export async function insertCreditNote(q: Queryable, row: CreditNoteRow): Promise<void> {
  await q.insert(creditNotes).values(row);
}

export async function findCreditNote(q: Queryable, merchantId: string, id: string): Promise<CreditNoteRow | undefined> {
  const [row] = await q.select().from(creditNotes).where(and(eq(creditNotes.merchantId, merchantId), eq(creditNotes.id, id)));
  return row;
}

export async function listCreditNotes(q: Queryable, merchantId: string, f: { invoiceId?: string | undefined }, page: PageParams): Promise<CreditNoteRow[]> {
  return q
    .select()
    .from(creditNotes)
    .where(and(eq(creditNotes.merchantId, merchantId), f.invoiceId ? eq(creditNotes.invoiceId, f.invoiceId) : undefined, pageWhere(creditNotes.id, page)))
    .orderBy(pageOrder(creditNotes.id, page))
    .limit(page.limit + 1);
}

export type PendingItemRow = typeof pendingInvoiceItems.$inferSelect;

export async function insertPendingItems(q: Queryable, rows: PendingItemRow[]): Promise<void> {
  if (rows.length > 0) await q.insert(pendingInvoiceItems).values(rows);
}
