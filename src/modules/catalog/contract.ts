// The product and price resources as the API shows them, and the request bodies that create and change them.
import { Type, type Static } from 'typebox';
import { Id, Metadata, Nullable, Timestamp, ListOf, ListQuery, eitherOr } from '../../http/schemas.ts';
import type { PriceRow, ProductRow } from './store.ts';

const MetadataUpdate = Type.Record(Type.String({ minLength: 1, maxLength: 40 }), Nullable(Type.String({ maxLength: 500 })), {
  maxProperties: 50,
  description: 'Merged into the existing metadata; a key set to null is removed',
});

const productFields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Shown on invoices', examples: ['Omtanke Pro'] }),
  description: Nullable(Type.String({ maxLength: 1000, examples: ['Monthly subscription with priority support'] })),
  active: Type.Boolean({ description: 'Archived (false) products keep their prices and history but are not offered anew' }),
};

export const CreateProductBody = Type.Object(
  {
    name: productFields.name,
    description: Type.Optional(productFields.description),
    active: Type.Optional(Type.Boolean({ default: true, description: 'Archived (false) products keep their prices and history but are not offered anew' })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, examples: [{ name: 'Omtanke Pro', description: 'Monthly subscription with priority support' }] },
);
export type CreateProductInput = Static<typeof CreateProductBody>;

export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(productFields.name),
    description: Type.Optional(productFields.description),
    active: Type.Optional(productFields.active),
    metadata: Type.Optional(MetadataUpdate),
  },
  { additionalProperties: false, description: 'Only the fields sent change; `active: false` archives', examples: [{ active: false }] },
);
export type UpdateProductInput = Static<typeof UpdateProductBody>;

export const Product = Type.Object(
  {
    id: Id('product'),
    object: Type.Literal('product'),
    livemode: Type.Boolean(),
    name: Type.String(),
    description: Nullable(Type.String()),
    active: Type.Boolean(),
    metadata: Type.Record(Type.String(), Type.String()),
    created_at: Timestamp('When the product was created'),
    updated_at: Timestamp('When the product last changed'),
  },
  {
    $id: 'Product',
    description: 'Something the merchant sells; its prices say what it costs',
    examples: [
      {
        id: 'prod_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'product',
        livemode: false,
        name: 'Omtanke Pro',
        description: 'Monthly subscription with priority support',
        active: true,
        metadata: {},
        created_at: '2026-11-25T09:00:00.000Z',
        updated_at: '2026-11-25T09:00:00.000Z',
      },
    ],
  },
);
export type ProductResource = Static<typeof Product>;

export const ProductParams = Type.Object({ id: Id('product', 'The product id') });

export const ListProductsQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('product', 'Return products created before this one (the last id of the previous page)')),
    ending_before: Type.Optional(Id('product', 'Return products created after this one (the first id of the next page up)')),
    active: Type.Optional(Type.Boolean({ description: 'Only active (true) or archived (false) products; default both' })),
  },
  { additionalProperties: false },
);

export const ProductList = ListOf(Product, 'A page of products, newest first');

export function toProductResource(row: ProductRow, livemode: boolean): ProductResource {
  return {
    id: row.id,
    object: 'product',
    livemode,
    name: row.name,
    description: row.description,
    active: row.active,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const TAX_BEHAVIOR = 'Whether unit_amount excludes (default) or includes VAT';
const VAT_RATE = 'Swedish VAT rate in percent: 25 (standard), 12, 6 or 0 (exempt)';
const TaxBehavior = Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')], { description: TAX_BEHAVIOR });
const VatRate = Type.Union([Type.Literal(25), Type.Literal(12), Type.Literal(6), Type.Literal(0)], { description: VAT_RATE });
const PriceType = Type.Union([Type.Literal('recurring'), Type.Literal('one_time')]);
const Interval = Type.Union([Type.Literal('month'), Type.Literal('quarter'), Type.Literal('year')]);
const Recurring = Type.Object(
  {
    interval: Interval,
    interval_count: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, default: 1, description: 'Number of intervals between bills, 1–12; default 1' })),
  },
  { additionalProperties: false, description: 'How often a recurring price bills; required for, and only for, type recurring' },
);
const nickname = Nullable(Type.String({ maxLength: 200, description: 'Your own label, not shown to customers', examples: ['Pro monthly'] }));

export const CreatePriceBody = Type.Object(
  {
    product: Id('product', 'The product this price is for'),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', default: 'SEK', description: 'ISO 4217, upper case; default SEK', examples: ['SEK'] })),
    unit_amount: Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'In minor units (öre for SEK)', examples: [29900] }),
    tax_behavior: Type.Optional(Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')], { default: 'exclusive', description: TAX_BEHAVIOR })),
    vat_rate: Type.Optional(
      Type.Union([Type.Literal(25), Type.Literal(12), Type.Literal(6), Type.Literal(0)], { default: 25, description: `${VAT_RATE}; default 25` }),
    ),
    type: PriceType,
    recurring: Type.Optional(Recurring),
    nickname: Type.Optional(nickname),
    active: Type.Optional(Type.Boolean({ default: true })),
    metadata: Type.Optional(Metadata),
  },
  {
    additionalProperties: false,
    description: 'Amounts, currency, tax and recurrence cannot change later: create a new price instead',
    examples: [{ product: 'prod_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', unit_amount: 29900, type: 'recurring', recurring: { interval: 'month', interval_count: 1 } }],
  },
);
export type CreatePriceInput = Static<typeof CreatePriceBody>;
// `recurring` with, and only with, `type: recurring` (checked by the service, naming the field).
eitherOr(CreatePriceBody, [
  { title: 'Recurring price', required: ['type', 'recurring'], properties: { type: Type.Literal('recurring') } },
  { title: 'One-time price', required: ['type'], properties: { type: Type.Literal('one_time') }, forbidden: ['recurring'] },
]);

export const UpdatePriceBody = Type.Object(
  {
    nickname: Type.Optional(nickname),
    active: Type.Optional(Type.Boolean({ description: 'false retires the price: it stays valid where it is already used' })),
    metadata: Type.Optional(MetadataUpdate),
  },
  {
    additionalProperties: false,
    description: 'Only nickname, metadata and active can change; amounts, currency, tax and recurrence are immutable',
    examples: [{ active: false }],
  },
);
export type UpdatePriceInput = Static<typeof UpdatePriceBody>;

export const Price = Type.Object(
  {
    id: Id('price'),
    object: Type.Literal('price'),
    livemode: Type.Boolean(),
    product: Id('product'),
    active: Type.Boolean(),
    currency: Type.String(),
    unit_amount: Type.Integer({ description: 'In minor units (öre for SEK)' }),
    tax_behavior: TaxBehavior,
    vat_rate: VatRate,
    type: PriceType,
    recurring: Nullable(Type.Object({ interval: Interval, interval_count: Type.Integer() })),
    nickname: Nullable(Type.String()),
    metadata: Type.Record(Type.String(), Type.String()),
    created_at: Timestamp('When the price was created'),
    updated_at: Timestamp('When the price last changed'),
  },
  {
    $id: 'Price',
    description: 'What a product costs, how VAT applies and how often it bills. Immutable except nickname, metadata and active.',
    examples: [
      {
        id: 'price_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'price',
        livemode: false,
        product: 'prod_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        active: true,
        currency: 'SEK',
        unit_amount: 29900,
        tax_behavior: 'exclusive',
        vat_rate: 25,
        type: 'recurring',
        recurring: { interval: 'month', interval_count: 1 },
        nickname: 'Pro monthly',
        metadata: {},
        created_at: '2026-11-25T09:00:00.000Z',
        updated_at: '2026-11-25T09:00:00.000Z',
      },
    ],
  },
);
export type PriceResource = Static<typeof Price>;

export const PriceParams = Type.Object({ id: Id('price', 'The price id') });

export const ListPricesQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('price', 'Return prices created before this one (the last id of the previous page)')),
    ending_before: Type.Optional(Id('price', 'Return prices created after this one (the first id of the next page up)')),
    product: Type.Optional(Id('product', 'Only prices of this product')),
    active: Type.Optional(Type.Boolean({ description: 'Only active (true) or inactive (false) prices; default both' })),
    type: Type.Optional(PriceType),
  },
  { additionalProperties: false },
);

export const PriceList = ListOf(Price, 'A page of prices, newest first');

export function toPriceResource(row: PriceRow, livemode: boolean): PriceResource {
  return {
    id: row.id,
    object: 'price',
    livemode,
    product: row.productId,
    active: row.active,
    currency: row.currency,
    unit_amount: row.unitAmount,
    tax_behavior: row.taxBehavior,
    vat_rate: row.vatRate,
    type: row.type,
    recurring:
      row.recurringInterval !== null && row.recurringIntervalCount !== null
        ? { interval: row.recurringInterval, interval_count: row.recurringIntervalCount }
        : null,
    nickname: row.nickname,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
