import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { anyText, bulkInsert, decodeRows } from '../../db/bulk.ts';
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
    .where(and(eq(invoiceLines.merchantId, merchantId), anyText(invoiceLines.invoiceId, invoiceIds)))
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

// Payments: set-based reads and writes for a batch of payments in one transaction.

/** Finalised invoices whose OCR reference is one of these (one query for a whole batch). */
export async function findByOcr(q: Queryable, merchantId: string, refs: string[]): Promise<{ id: string; ocrReference: string }[]> {
  if (refs.length === 0) return [];
  return q
    .select({ id: invoices.id, ocrReference: sql<string>`${invoices.ocrReference}` })
    .from(invoices)
    .where(and(eq(invoices.merchantId, merchantId), anyText(invoices.ocrReference, refs)));
}

/** Invoices that can still be paid, of these customers (the amount + payer rule). */
export async function findPayableOf(q: Queryable, merchantId: string, customerIds: string[]): Promise<{ id: string; customerId: string; currency: string; amountRemaining: number }[]> {
  if (customerIds.length === 0) return [];
  return q
    .select({ id: invoices.id, customerId: invoices.customerId, currency: invoices.currency, amountRemaining: invoices.amountRemaining })
    .from(invoices)
    .where(
      and(
        eq(invoices.merchantId, merchantId),
        anyText(invoices.customerId, customerIds),
        inArray(invoices.status, ['open', 'partially_paid', 'uncollectible', 'in_collection']),
      ),
    );
}

/** Invoices by id, read without a lock (a payment plan's view, an offer). */
export async function findInvoices(q: Queryable, merchantId: string, ids: string[]): Promise<InvoiceRow[]> {
  if (ids.length === 0) return [];
  return q.select().from(invoices).where(and(eq(invoices.merchantId, merchantId), anyText(invoices.id, ids)));
}

/**
 * Invoices locked FOR UPDATE in id order: every batch locks in the same order, so none deadlock.
 * One primary-key lookup per id (a lateral join, walked in id order): a plain `= any(…)` let the
 * planner scan all the merchant's invoices when its statistics were stale.
 */
export async function lockInvoices(q: Queryable, merchantId: string, ids: string[]): Promise<InvoiceRow[]> {
  if (ids.length === 0) return [];
  const res = await q.execute<Record<string, unknown>>(sql`
    select i.* from (select id from unnest(${sql.param([...new Set(ids)])}::text[]) as u(id) order by id) k
    cross join lateral (select * from invoices where merchant_id = ${merchantId} and id = k.id for update) i
    order by k.id`);
  return decodeRows(invoices, res.rows);
}

/** What payments, refunds and credit change on invoices, for many invoices in one statement. */
export async function writeSettlements(q: Queryable, merchantId: string, rows: InvoiceRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (r: InvoiceRow) => T) => rows.map(f);
  await q.execute(sql`
    update invoices i set
      amount_paid = v.amount_paid, amount_from_balance = v.amount_from_balance, amount_remaining = v.amount_remaining,
      status = v.status, paid_at = v.paid_at, updated_at = v.updated_at
    from unnest(
      ${sql.param(col((r) => r.id))}::text[], ${sql.param(col((r) => r.amountPaid))}::bigint[], ${sql.param(col((r) => r.amountFromBalance))}::bigint[],
      ${sql.param(col((r) => r.amountRemaining))}::bigint[], ${sql.param(col((r) => r.status))}::text[],
      ${sql.param(col((r) => r.paidAt?.toISOString() ?? null))}::timestamptz[], ${sql.param(col((r) => r.updatedAt.toISOString()))}::timestamptz[]
    ) as v(id, amount_paid, amount_from_balance, amount_remaining, status, paid_at, updated_at)
    where i.merchant_id = ${merchantId} and i.id = v.id`);
}

/** What a payment plan changes on invoices: its share (amount_plan), the remainder and the state. */
export async function writePlanChanges(q: Queryable, merchantId: string, rows: InvoiceRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (r: InvoiceRow) => T) => rows.map(f);
  await q.execute(sql`
    update invoices i set
      amount_plan = v.amount_plan, amount_remaining = v.amount_remaining, status = v.status, paid_at = v.paid_at, voided_at = v.voided_at, updated_at = v.updated_at
    from unnest(
      ${sql.param(col((r) => r.id))}::text[], ${sql.param(col((r) => r.amountPlan))}::bigint[], ${sql.param(col((r) => r.amountRemaining))}::bigint[],
      ${sql.param(col((r) => r.status))}::text[], ${sql.param(col((r) => r.paidAt?.toISOString() ?? null))}::timestamptz[],
      ${sql.param(col((r) => r.voidedAt?.toISOString() ?? null))}::timestamptz[], ${sql.param(col((r) => r.updatedAt.toISOString()))}::timestamptz[]
    ) as v(id, amount_plan, amount_remaining, status, paid_at, voided_at, updated_at)
    where i.merchant_id = ${merchantId} and i.id = v.id`);
}
