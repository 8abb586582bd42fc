// Queries of messages. The send queue is claimed with short statements on the pool that commit at
// once (a lease, like collection attempts): no transaction is held open across an SMTP call.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { messageInvoices, messages } from './schema.ts';

export type MessageRow = typeof messages.$inferSelect;
export type MessageInvoiceRow = typeof messageInvoices.$inferSelect;
export type MessageFilter = { customerId?: string | undefined; invoiceId?: string | undefined; status?: MessageRow['status'] | undefined };

/**
 * The invoices' rows for this step, skipping those that already have one (another message reached
 * them at this step first; a concurrent insert waits for the other transaction and then skips).
 * Returns the rows written. Sorted by invoice so that two transactions lock in the same order.
 */
export async function claimInvoices(tx: Tx, rows: MessageInvoiceRow[]): Promise<MessageInvoiceRow[]> {
  if (rows.length === 0) return [];
  const sorted = [...rows].sort((a, b) => (a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0));
  return tx
    .insert(messageInvoices)
    .values(sorted)
    .onConflictDoNothing({ target: [messageInvoices.merchantId, messageInvoices.invoiceId, messageInvoices.stepKey] })
    .returning();
}

export async function insertMessage(tx: Tx, row: MessageRow): Promise<MessageRow> {
  const [inserted] = await tx.insert(messages).values(row).returning();
  return inserted!;
}

export async function insertMessages(tx: Tx, rows: MessageRow[]): Promise<void> {
  if (rows.length > 0) await tx.insert(messages).values(rows);
}

/**
 * Leases up to `limit` e-mails that are due: queued ones, and ones whose sender's lease ran out (it
 * crashed or hung mid-send). Locked rows are skipped and the conditions re-checked on the locked
 * row, so two workers never claim one message at once.
 */
export async function claimDue(db: Db, o: { now: Date; wall: Date; leaseUntil: Date; limit: number }): Promise<MessageRow[]> {
  const wall = o.wall.toISOString();
  return db
    .update(messages)
    .set({ status: 'sending', leaseUntil: o.leaseUntil, updatedAt: o.wall })
    .where(
      sql`(${messages.merchantId}, ${messages.id}) in (
        select merchant_id, id from messages
        where channel = 'email' and status in ('queued', 'sending') and next_attempt_at <= ${o.now.toISOString()}::timestamptz
          and (lease_until is null or lease_until < ${wall}::timestamptz)
        order by next_attempt_at
        limit ${o.limit}
        for update skip locked)`,
    )
    .returning();
}

/** The claimed message, locked, if the claim is still ours (same lease): its result is recorded once. */
export async function lockClaimed(tx: Tx, m: { merchantId: string; id: string; leaseUntil: Date }): Promise<MessageRow | undefined> {
  const [row] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.merchantId, m.merchantId), eq(messages.id, m.id), eq(messages.status, 'sending'), eq(messages.leaseUntil, m.leaseUntil)))
    .for('update');
  return row;
}

export async function updateMessage(tx: Tx, row: MessageRow): Promise<MessageRow> {
  const { merchantId, id, createdAt: _c, ...changes } = row;
  const [updated] = await tx.update(messages).set(changes).where(and(eq(messages.merchantId, merchantId), eq(messages.id, id))).returning();
  return updated!;
}

export async function findMessage(q: Queryable, merchantId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await q.select().from(messages).where(and(eq(messages.merchantId, merchantId), eq(messages.id, id)));
  return row;
}

/** The invoices each message covers; a fallback covers those of the message it replaces. */
export async function invoicesOf(q: Queryable, merchantId: string, rows: Pick<MessageRow, 'id' | 'fallbackOf'>[]): Promise<Map<string, MessageInvoiceRow[]>> {
  const out = new Map<string, MessageInvoiceRow[]>(rows.map((r) => [r.id, []]));
  if (rows.length === 0) return out;
  const owner = new Map<string, string[]>();
  for (const r of rows) {
    const source = r.fallbackOf ?? r.id;
    owner.set(source, [...(owner.get(source) ?? []), r.id]);
  }
  const found = await q
    .select()
    .from(messageInvoices)
    .where(and(eq(messageInvoices.merchantId, merchantId), inArray(messageInvoices.messageId, [...owner.keys()])))
    .orderBy(asc(messageInvoices.invoiceId));
  for (const mi of found) for (const id of owner.get(mi.messageId) ?? []) out.get(id)!.push(mi);
  return out;
}

export async function listMessages(q: Queryable, merchantId: string, f: MessageFilter, page: PageParams): Promise<MessageRow[]> {
  return q
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.merchantId, merchantId),
        f.customerId ? eq(messages.customerId, f.customerId) : undefined,
        f.status ? eq(messages.status, f.status) : undefined,
        f.invoiceId
          ? sql`exists (select 1 from message_invoices mi where mi.merchant_id = ${messages.merchantId} and mi.invoice_id = ${f.invoiceId}
              and mi.message_id in (${messages.id}, ${messages.fallbackOf}))`
          : undefined,
        pageWhere(messages.id, page),
      ),
    )
    .orderBy(pageOrder(messages.id, page))
    .limit(page.limit + 1);
}
