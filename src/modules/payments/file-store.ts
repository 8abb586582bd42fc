// Payment files: the stored bytes, read only by the import job, and the row everything else reads.
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { paymentFiles } from './schema.ts';

export type PaymentFileRecord = typeof paymentFiles.$inferSelect;
/** A payment file without its bytes (what status reads and lists need). */
export type PaymentFileRow = Omit<PaymentFileRecord, 'content'>;

const { content: _content, ...META } = getTableColumns(paymentFiles);

/** Inserts the file unless the merchant has one with the same content; the row, or undefined when it had. */
export async function insertFile(q: Queryable, row: PaymentFileRecord): Promise<PaymentFileRow | undefined> {
  const [inserted] = await q.insert(paymentFiles).values(row).onConflictDoNothing({ target: [paymentFiles.merchantId, paymentFiles.sha256] }).returning(META);
  return inserted;
}

export async function findBySha256(q: Queryable, merchantId: string, sha256: string): Promise<PaymentFileRow | undefined> {
  const [row] = await q.select(META).from(paymentFiles).where(and(eq(paymentFiles.merchantId, merchantId), eq(paymentFiles.sha256, sha256)));
  return row;
}

export async function findFile(q: Queryable, merchantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<PaymentFileRow | undefined> {
  const query = q.select(META).from(paymentFiles).where(and(eq(paymentFiles.merchantId, merchantId), eq(paymentFiles.id, id)));
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function fileContent(q: Queryable, merchantId: string, id: string): Promise<Buffer | undefined> {
  const [row] = await q.select({ content: paymentFiles.content }).from(paymentFiles).where(and(eq(paymentFiles.merchantId, merchantId), eq(paymentFiles.id, id)));
  return row?.content;
}

export async function updateFile(q: Queryable, merchantId: string, id: string, changes: Partial<Omit<PaymentFileRow, 'merchantId' | 'id'>>): Promise<void> {
  await q.update(paymentFiles).set(changes).where(and(eq(paymentFiles.merchantId, merchantId), eq(paymentFiles.id, id)));
}

export async function listFiles(q: Queryable, merchantId: string, page: PageParams): Promise<PaymentFileRow[]> {
  return q
    .select(META)
    .from(paymentFiles)
    .where(and(eq(paymentFiles.merchantId, merchantId), pageWhere(paymentFiles.id, page)))
    .orderBy(pageOrder(paymentFiles.id, page))
    .limit(page.limit + 1);
}

/** Imports a crashed worker left (every merchant): the worker's start-up sweep sends their jobs again. */
export async function listProcessing(q: Queryable, limit: number): Promise<{ merchantId: string; id: string }[]> {
  return q
    .select({ merchantId: paymentFiles.merchantId, id: paymentFiles.id })
    .from(paymentFiles)
    .where(sql`${paymentFiles.status} = 'processing'`)
    .limit(limit);
}
