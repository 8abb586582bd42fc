import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { bulkInsert, decodeRows } from '../../db/bulk.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { customerBalanceTransactions, payments, refunds } from './schema.ts';
import type { PaymentRow, RefundRow } from './contract.ts';
import type { BalanceTransactionRow } from './credit.ts';

export type PaymentFilter = { status?: PaymentRow['status'] | undefined; customerId?: string | undefined; invoiceId?: string | undefined };

export async function insertPayments(q: Queryable, rows: PaymentRow[]): Promise<void> {
  await bulkInsert(q, payments, rows);
}

/** Payments already recorded under these bank keys (a re-imported file, a retried batch). */
export async function findByExternalKeys(q: Queryable, merchantId: string, keys: string[]): Promise<PaymentRow[]> {
  if (keys.length === 0) return [];
  // One unique-key lookup per key (a lateral join): a plain `= any(…)` let the planner scan all the
  // merchant's payments while statistics still said the table was small (a new merchant's first
  // large file), once per batch.
  const res = await q.execute<Record<string, unknown>>(sql`
    select p.* from unnest(${sql.param([...new Set(keys)])}::text[]) as k(key)
    cross join lateral (select * from payments where merchant_id = ${merchantId} and external_key = k.key limit 1) p`);
  return decodeRows(payments, res.rows);
}

export async function findPayment(q: Queryable, merchantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<PaymentRow | undefined> {
  const query = q.select().from(payments).where(and(eq(payments.merchantId, merchantId), eq(payments.id, id)));
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function updatePayment(q: Queryable, row: PaymentRow): Promise<PaymentRow> {
  const { merchantId, id, createdAt: _c, ...changes } = row;
  const [updated] = await q.update(payments).set(changes).where(and(eq(payments.merchantId, merchantId), eq(payments.id, id))).returning();
  return updated!;
}

export async function listPayments(q: Queryable, merchantId: string, f: PaymentFilter, page: PageParams): Promise<PaymentRow[]> {
  return q
    .select()
    .from(payments)
    .where(
      and(
        eq(payments.merchantId, merchantId),
        f.status ? eq(payments.status, f.status) : undefined,
        f.customerId ? eq(payments.customerId, f.customerId) : undefined,
        f.invoiceId ? eq(payments.invoiceId, f.invoiceId) : undefined,
        pageWhere(payments.id, page),
      ),
    )
    .orderBy(pageOrder(payments.id, page))
    .limit(page.limit + 1);
}

export async function insertRefund(q: Queryable, row: RefundRow): Promise<void> {
  await q.insert(refunds).values(row);
}

export async function findRefund(q: Queryable, merchantId: string, id: string): Promise<RefundRow | undefined> {
  const [row] = await q.select().from(refunds).where(and(eq(refunds.merchantId, merchantId), eq(refunds.id, id)));
  return row;
}

export async function listRefunds(q: Queryable, merchantId: string, paymentId: string, page: PageParams): Promise<RefundRow[]> {
  return q
    .select()
    .from(refunds)
    .where(and(eq(refunds.merchantId, merchantId), eq(refunds.paymentId, paymentId), pageWhere(refunds.id, page)))
    .orderBy(pageOrder(refunds.id, page))
    .limit(page.limit + 1);
}

export async function listBalanceTransactions(q: Queryable, merchantId: string, customerId: string, page: PageParams): Promise<BalanceTransactionRow[]> {
  return q
    .select()
    .from(customerBalanceTransactions)
    .where(and(eq(customerBalanceTransactions.merchantId, merchantId), eq(customerBalanceTransactions.customerId, customerId), pageWhere(customerBalanceTransactions.id, page)))
    .orderBy(pageOrder(customerBalanceTransactions.id, page))
    .limit(page.limit + 1);
}
