import { and, eq, isNull, isNotNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { customers } from './schema.ts';

export type CustomerRow = typeof customers.$inferSelect;
export type CustomerFilter = { email?: string | undefined; externalId?: string | undefined; archived: boolean };

const EXTERNAL_ID_KEY = 'customers_merchant_external_id_key';

export class ExternalIdTaken extends Error {}

function translate(err: unknown): never {
  const cause = (err as { cause?: { code?: string; constraint?: string } }).cause ?? (err as { code?: string; constraint?: string });
  if (cause?.code === '23505' && cause.constraint === EXTERNAL_ID_KEY) throw new ExternalIdTaken();
  throw err;
}

export async function insertCustomer(q: Queryable, row: CustomerRow): Promise<void> {
  await q.insert(customers).values(row).catch(translate);
}

export async function findCustomer(q: Queryable, merchantId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  const query = q.select().from(customers).where(and(eq(customers.merchantId, merchantId), eq(customers.id, id)));
  const [row] = opts.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function updateCustomer(q: Queryable, row: CustomerRow): Promise<CustomerRow> {
  const { merchantId, id, createdAt: _createdAt, ...changes } = row;
  const [updated] = await q
    .update(customers)
    .set(changes)
    .where(and(eq(customers.merchantId, merchantId), eq(customers.id, id)))
    .returning()
    .catch(translate);
  return updated!;
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
