import { and, eq, isNull, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import { preparedPerDb } from '../../db/prepared.ts';
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { customerChoiceChanges, customers } from './schema.ts';

export type CustomerRow = typeof customers.$inferSelect;
export type ChoiceChangeRow = typeof customerChoiceChanges.$inferSelect;
export type CustomerFilter = { email?: string | undefined; externalId?: string | undefined; archived: boolean };

const EXTERNAL_ID_KEY = 'customers_merchant_external_id_key';

export class ExternalIdTaken extends Error {}

function translate(err: unknown): never {
  if (isExternalIdConflict(err)) throw new ExternalIdTaken();
  throw err;
}

/** The INSERT as SQL, for a statement that also records its event (events.record). */
export function insertCustomerSql(db: Db, row: CustomerRow): SQL {
  return db.insert(customers).values(row).getSQL();
}

export function isExternalIdConflict(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; constraint?: string } }).cause ?? (err as { code?: string; constraint?: string });
  return cause?.code === '23505' && cause.constraint === EXTERNAL_ID_KEY;
}

// Retrieval is the hottest read: a named prepared statement per db handle skips query building
// and planning. Inside a transaction (FOR UPDATE) the plain query runs on the transaction.
const prepareById = preparedPerDb((db) =>
  db
    .select()
    .from(customers)
    .where(and(eq(customers.merchantId, sql.placeholder('merchantId')), eq(customers.id, sql.placeholder('id'))))
    .prepare('customer_by_id'));

export async function getCustomerRow(db: Db, merchantId: string, id: string): Promise<CustomerRow | undefined> {
  const query = prepareById(db);
  const [row] = await query.execute({ merchantId, id });
  return row;
}

/** Inside a transaction: the plain query on the transaction's connection. */
export async function findCustomer(q: Queryable, merchantId: string, id: string): Promise<CustomerRow | undefined> {
  const [row] = await q.select().from(customers).where(and(eq(customers.merchantId, merchantId), eq(customers.id, id)));
  return row;
}

export async function findCustomerForUpdate(tx: Tx, merchantId: string, id: string): Promise<CustomerRow | undefined> {
  const [row] = await tx
    .select()
    .from(customers)
    .where(and(eq(customers.merchantId, merchantId), eq(customers.id, id)))
    .for('update');
  return row;
}

/**
 * FOR NO KEY UPDATE: whoever starts a subscription for the customer holds off an archive until it
 * commits, and may then write the row (a return, credit used by the first invoice) without
 * upgrading a shared lock, which two such transactions would deadlock on.
 */
export async function findCustomerForSubscription(tx: Tx, merchantId: string, id: string): Promise<CustomerRow | undefined> {
  const [row] = await tx
    .select()
    .from(customers)
    .where(and(eq(customers.merchantId, merchantId), eq(customers.id, id)))
    .for('no key update');
  return row;
}

export async function updateCustomer(q: Queryable, row: CustomerRow): Promise<CustomerRow> {
  // The balance is written only by the payments module's credit ledger (writeBalances), never back
  // from a row read earlier.
  const { merchantId, id, createdAt: _createdAt, balance: _balance, balanceCurrency: _balanceCurrency, ...changes } = row;
  const [updated] = await q
    .update(customers)
    .set(changes)
    .where(and(eq(customers.merchantId, merchantId), eq(customers.id, id)))
    .returning()
    .catch(translate);
  return updated!;
}

export async function detachTestClock(q: Queryable, merchantId: string, testClockId: string): Promise<void> {
  await q.update(customers).set({ testClockId: null }).where(and(eq(customers.merchantId, merchantId), eq(customers.testClockId, testClockId)));
}

export async function listCustomers(q: Queryable, merchantId: string, filter: CustomerFilter, page: PageParams) {
  return q
    .select()
    .from(customers)
    .where(
      and(
        eq(customers.merchantId, merchantId),
        filter.archived ? isNotNull(customers.archivedAt) : isNull(customers.archivedAt),
        filter.email !== undefined ? eq(customers.email, filter.email) : undefined,
        filter.externalId !== undefined ? eq(customers.externalId, filter.externalId) : undefined,
        pageWhere(customers.id, page),
      ),
    )
    .orderBy(pageOrder(customers.id, page))
    .limit(page.limit + 1);
}

export async function insertChoiceChanges(q: Queryable, rows: ChoiceChangeRow[]): Promise<void> {
  if (rows.length > 0) await q.insert(customerChoiceChanges).values(rows);
}

export async function listChoiceChanges(q: Queryable, merchantId: string, customerId: string, kind: ChoiceChangeRow['kind'] | undefined, page: PageParams) {
  return q
    .select()
    .from(customerChoiceChanges)
    .where(
      and(
        eq(customerChoiceChanges.merchantId, merchantId),
        eq(customerChoiceChanges.customerId, customerId),
        kind !== undefined ? eq(customerChoiceChanges.kind, kind) : undefined,
        pageWhere(customerChoiceChanges.id, page),
      ),
    )
    .orderBy(pageOrder(customerChoiceChanges.id, page))
    .limit(page.limit + 1);
}

/** Customers of the merchant with the same national id, external_id or e-mail as a new one, oldest first. */
export async function findSameCustomers(
  q: Queryable,
  merchantId: string,
  keys: { nationalId: string | null; externalId: string | null; email: string | null },
): Promise<CustomerRow[]> {
  const match = or(
    keys.nationalId !== null ? eq(customers.nationalId, keys.nationalId) : undefined,
    keys.externalId !== null ? eq(customers.externalId, keys.externalId) : undefined,
    keys.email !== null ? eq(customers.email, keys.email) : undefined,
  );
  if (!match) return [];
  return q.select().from(customers).where(and(eq(customers.merchantId, merchantId), match)).orderBy(customers.id).limit(50);
}

export type BalanceRow = { id: string; balance: number; balanceCurrency: string | null };

export async function lockBalances(tx: Tx, merchantId: string, ids: string[], opts: { withCreditOnly?: boolean }): Promise<BalanceRow[]> {
  if (ids.length === 0) return [];
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.execute<{ id: string; balance: string; balance_currency: string | null }>(sql`
    select id, balance, balance_currency from customers
    where merchant_id = ${merchantId} and id = any(${sql.param(sorted)}::text[]) ${opts.withCreditOnly ? sql`and balance > 0` : sql``}
    order by id for no key update`);
  return rows.rows.map((r) => ({ id: r.id, balance: Number(r.balance), balanceCurrency: r.balance_currency }));
}

export async function writeBalances(tx: Tx, merchantId: string, rows: BalanceRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update customers c set balance = v.balance, balance_currency = v.currency
    from unnest(${sql.param(rows.map((r) => r.id))}::text[], ${sql.param(rows.map((r) => r.balance))}::bigint[], ${sql.param(rows.map((r) => r.balanceCurrency))}::text[]) as v(id, balance, currency)
    where c.merchant_id = ${merchantId} and c.id = v.id`);
}

export async function findIdsByNationalId(q: Queryable, merchantId: string, nationalIds: string[]): Promise<{ id: string; nationalId: string }[]> {
  if (nationalIds.length === 0) return [];
  const rows = await q.execute<{ id: string; national_id: string }>(sql`
    select id, national_id from customers where merchant_id = ${merchantId} and national_id = any(${sql.param([...new Set(nationalIds)])}::text[]) and archived_at is null`);
  return rows.rows.map((r) => ({ id: r.id, nationalId: r.national_id }));
}
