// Catalog use cases: products and their prices. Every function takes the tenant first: no query can leave it.
import type { Db } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller, type Work } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalidField } from '../../kernel/errors.ts';
import {
  toPriceResource,
  toProductResource,
  type CreatePriceInput,
  type CreateProductInput,
  type UpdatePriceInput,
  type UpdateProductInput,
} from './contract.ts';
import type { EventService } from '../events/service.ts';
import { mergeMetadata, updateAndRecord } from '../events/changes.ts';
import * as store from './store.ts';

export type Product = store.ProductRow;
export type Price = store.PriceRow;

export function createCatalogService(deps: { db: Db; clock: Clock; events: Pick<EventService, 'record'> }) {
  const { db, clock, events } = deps;

  /** A price or product, read on the caller's transaction when it has one (other modules use these). */
  function findPrice(caller: Work & { merchantId: string }, id: string): Promise<Price | undefined> {
    return caller.tx ? store.findPrice(caller.tx, caller.merchantId, id) : store.getPriceRow(db, caller.merchantId, id);
  }
  function findProduct(caller: Work & { merchantId: string }, id: string): Promise<Product | undefined> {
    return caller.tx ? store.findProduct(caller.tx, caller.merchantId, id) : store.getProductRow(db, caller.merchantId, id);
  }

  async function getProduct(tenant: Caller, id: string): Promise<Product> {
    const row = await findProduct(tenant, id);
    if (!row) throw new DomainError('not_found', `No such product: ${id}`);
    return row;
  }

  async function getPrice(tenant: Caller, id: string): Promise<Price> {
    const row = await findPrice(tenant, id);
    if (!row) throw new DomainError('not_found', `No such price: ${id}`);
    return row;
  }

  return {
    getProduct,
    getPrice,
    findPrice,
    findProduct,

    async createProduct(tenant: Caller, input: CreateProductInput): Promise<Product> {
      const now = clock.now();
      const row: Product = {
        merchantId: tenant.merchantId,
        id: newId('product'),
        name: input.name.trim(),
        description: input.description ?? null,
        active: input.active ?? true,
        metadata: input.metadata ?? {},
        createdAt: now,
        updatedAt: now,
      };
      if (row.name.length === 0) throw invalidField('name', 'must not be blank');
      // The insert and its product.created event are one statement.
      const object = toProductResource(row, tenant.livemode);
      await events.record(queryableFor(db, tenant), tenant, { type: 'product.created', objectId: row.id, object }, store.insertProductSql(db, row));
      return row;
    },

    /** Loads under FOR UPDATE, applies the change, writes and records product.updated; a no-op writes nothing. */
    updateProduct(tenant: Caller, id: string, input: UpdateProductInput): Promise<Product> {
      return inTransaction(db, tenant, (tx) =>
        updateAndRecord(
          tx,
          events,
          tenant,
          {
            type: 'product.updated',
            id,
            notFound: `No such product: ${id}`,
            find: (tx) => store.findProductForUpdate(tx, tenant.merchantId, id),
            render: (row) => toProductResource(row, tenant.livemode),
            write: (tx, row) => store.updateProduct(tx, { ...row, updatedAt: clock.now() }),
          },
          (row) => {
            const next: Product = { ...row };
            if (input.name !== undefined) {
              next.name = input.name.trim();
              if (next.name.length === 0) throw invalidField('name', 'must not be blank');
            }
            if (input.description !== undefined) next.description = input.description;
            if (input.active !== undefined) next.active = input.active;
            if (input.metadata !== undefined) next.metadata = mergeMetadata(row.metadata, input.metadata);
            return next;
          },
        ));
    },

    async listProducts(tenant: Caller, filter: store.ProductFilter, page: PageParams): Promise<Page<Product>> {
      return toPage(await store.listProducts(queryableFor(db, tenant), tenant.merchantId, filter, page), page);
    },

    async createPrice(tenant: Caller, input: CreatePriceInput): Promise<Price> {
      if (input.type === 'recurring' && input.recurring === undefined) throw invalidField('recurring', 'is required when type is recurring');
      if (input.type === 'one_time' && input.recurring !== undefined) throw invalidField('recurring', 'is only allowed when type is recurring');
      // Another merchant's product does not exist here; the (merchant_id, product_id) foreign key holds it too.
      const product = await findProduct(tenant, input.product);
      if (!product) throw invalidField('product', `does not exist: ${input.product}`);
      if (!product.active) throw invalidField('product', 'is archived; reactivate it before adding prices');
      const now = clock.now();
      const row: Price = {
        merchantId: tenant.merchantId,
        id: newId('price'),
        productId: product.id,
        active: input.active ?? true,
        currency: input.currency ?? 'SEK',
        unitAmount: input.unit_amount,
        taxBehavior: input.tax_behavior ?? 'exclusive',
        vatRate: input.vat_rate ?? 25,
        type: input.type,
        recurringInterval: input.recurring?.interval ?? null,
        recurringIntervalCount: input.recurring ? (input.recurring.interval_count ?? 1) : null,
        nickname: input.nickname ?? null,
        metadata: input.metadata ?? {},
        createdAt: now,
        updatedAt: now,
      };
      const object = toPriceResource(row, tenant.livemode);
      await events.record(queryableFor(db, tenant), tenant, { type: 'price.created', objectId: row.id, object }, store.insertPriceSql(db, row));
      return row;
    },

    /** Only nickname, metadata and active change; the body schema rejects every other field. */
    updatePrice(tenant: Caller, id: string, input: UpdatePriceInput): Promise<Price> {
      return inTransaction(db, tenant, (tx) =>
        updateAndRecord(
          tx,
          events,
          tenant,
          {
            type: 'price.updated',
            id,
            notFound: `No such price: ${id}`,
            find: (tx) => store.findPriceForUpdate(tx, tenant.merchantId, id),
            render: (row) => toPriceResource(row, tenant.livemode),
            write: (tx, row) => store.updatePrice(tx, { ...row, updatedAt: clock.now() }),
          },
          (row) => {
            const next: Price = { ...row };
            if (input.nickname !== undefined) next.nickname = input.nickname;
            if (input.active !== undefined) next.active = input.active;
            if (input.metadata !== undefined) next.metadata = mergeMetadata(row.metadata, input.metadata);
            return next;
          },
        ));
    },

    async listPrices(tenant: Caller, filter: store.PriceFilter, page: PageParams): Promise<Page<Price>> {
      return toPage(await store.listPrices(queryableFor(db, tenant), tenant.merchantId, filter, page), page);
    },
  };
}
export type CatalogService = ReturnType<typeof createCatalogService>;
