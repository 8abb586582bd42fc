import { and, eq, sql, type SQL } from 'drizzle-orm';
import { preparedPerDb } from '../../db/prepared.ts';
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { pageOrder, pageWhere, type PageParams } from '../../db/page.ts';
import { prices, products } from './schema.ts';

export type ProductRow = typeof products.$inferSelect;
export type PriceRow = typeof prices.$inferSelect;
export type ProductFilter = { active?: boolean | undefined };
export type PriceFilter = { productId?: string | undefined; active?: boolean | undefined; type?: PriceRow['type'] | undefined };

/** The INSERT as SQL, for a statement that also records its event (events.record). */
export function insertProductSql(db: Db, row: ProductRow): SQL {
  return db.insert(products).values(row).getSQL();
}

export function insertPriceSql(db: Db, row: PriceRow): SQL {
  return db.insert(prices).values(row).getSQL();
}

const prepareProductById = preparedPerDb((db) =>
  db
    .select()
    .from(products)
    .where(and(eq(products.merchantId, sql.placeholder('merchantId')), eq(products.id, sql.placeholder('id'))))
    .prepare('product_by_id'));

export async function getProductRow(db: Db, merchantId: string, id: string): Promise<ProductRow | undefined> {
  const query = prepareProductById(db);
  const [row] = await query.execute({ merchantId, id });
  return row;
}

const preparePriceById = preparedPerDb((db) =>
  db
    .select()
    .from(prices)
    .where(and(eq(prices.merchantId, sql.placeholder('merchantId')), eq(prices.id, sql.placeholder('id'))))
    .prepare('price_by_id'));

export async function getPriceRow(db: Db, merchantId: string, id: string): Promise<PriceRow | undefined> {
  const query = preparePriceById(db);
  const [row] = await query.execute({ merchantId, id });
  return row;
}

/** Inside a transaction: the plain query on the transaction's connection. */
export async function findProduct(q: Queryable, merchantId: string, id: string): Promise<ProductRow | undefined> {
  const [row] = await q.select().from(products).where(and(eq(products.merchantId, merchantId), eq(products.id, id)));
  return row;
}

export async function findPrice(q: Queryable, merchantId: string, id: string): Promise<PriceRow | undefined> {
  const [row] = await q.select().from(prices).where(and(eq(prices.merchantId, merchantId), eq(prices.id, id)));
  return row;
}

export async function findProductForUpdate(tx: Tx, merchantId: string, id: string): Promise<ProductRow | undefined> {
  const [row] = await tx
    .select()
    .from(products)
    .where(and(eq(products.merchantId, merchantId), eq(products.id, id)))
    .for('update');
  return row;
}

export async function findPriceForUpdate(tx: Tx, merchantId: string, id: string): Promise<PriceRow | undefined> {
  const [row] = await tx
    .select()
    .from(prices)
    .where(and(eq(prices.merchantId, merchantId), eq(prices.id, id)))
    .for('update');
  return row;
}

export async function updateProduct(q: Queryable, row: ProductRow): Promise<ProductRow> {
  const { merchantId, id, createdAt: _createdAt, ...changes } = row;
  const [updated] = await q
    .update(products)
    .set(changes)
    .where(and(eq(products.merchantId, merchantId), eq(products.id, id)))
    .returning();
  return updated!;
}

/** Only what may change on a price: the charge itself is immutable. */
export async function updatePrice(q: Queryable, row: PriceRow): Promise<PriceRow> {
  const [updated] = await q
    .update(prices)
    .set({ nickname: row.nickname, metadata: row.metadata, active: row.active, updatedAt: row.updatedAt })
    .where(and(eq(prices.merchantId, row.merchantId), eq(prices.id, row.id)))
    .returning();
  return updated!;
}

export async function listProducts(q: Queryable, merchantId: string, filter: ProductFilter, page: PageParams) {
  return q
    .select()
    .from(products)
    .where(
      and(
        eq(products.merchantId, merchantId),
        filter.active !== undefined ? eq(products.active, filter.active) : undefined,
        pageWhere(products.id, page),
      ),
    )
    .orderBy(pageOrder(products.id, page))
    .limit(page.limit + 1);
}

export async function listPrices(q: Queryable, merchantId: string, filter: PriceFilter, page: PageParams) {
  return q
    .select()
    .from(prices)
    .where(
      and(
        eq(prices.merchantId, merchantId),
        filter.productId !== undefined ? eq(prices.productId, filter.productId) : undefined,
        filter.active !== undefined ? eq(prices.active, filter.active) : undefined,
        filter.type !== undefined ? eq(prices.type, filter.type) : undefined,
        pageWhere(prices.id, page),
      ),
    )
    .orderBy(pageOrder(prices.id, page))
    .limit(page.limit + 1);
}
