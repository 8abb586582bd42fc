import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { patchWithPostAlias } from '../../http/update-route.ts';
import type { CatalogService } from './service.ts';
import {
  CreatePriceBody,
  CreateProductBody,
  ListPricesQuery,
  ListProductsQuery,
  Price,
  PriceList,
  PriceParams,
  Product,
  ProductList,
  ProductParams,
  UpdatePriceBody,
  UpdateProductBody,
  toPriceResource,
  toProductResource,
} from './contract.ts';
import { problemResponses } from '../../http/schemas.ts';

const tags = ['Catalog'];

export const catalogRoutes =
  (deps: { catalog: CatalogService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { catalog } = deps;

    app.post('/v1/products', {
      schema: {
        operationId: 'createProduct',
        summary: 'Create a product',
        description: 'Send an Idempotency-Key to retry safely.',
        tags,
        body: CreateProductBody,
        response: { 201: Product, ...problemResponses('validation_failed', 'idempotency_key_reused', 'payload_too_large', 'unsupported_media_type') },
      },
      handler: async (req, reply) => {
        const row = await catalog.createProduct(req.caller, req.body);
        reply.code(201);
        return toProductResource(row, req.principal.livemode);
      },
    });

    app.get('/v1/products', {
      schema: {
        operationId: 'listProducts',
        summary: 'List products',
        description: 'Newest first. Page with `starting_after` set to the last id of the previous page.',
        tags,
        querystring: ListProductsQuery,
        response: { 200: ProductList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, active } = req.query;
        const page = await catalog.listProducts(req.caller, { active }, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map((p) => toProductResource(p, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/products/:id', {
      schema: {
        operationId: 'getProduct',
        summary: 'Retrieve a product',
        description: 'Archived products (`active: false`) are found too.',
        tags,
        params: ProductParams,
        response: { 200: Product, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toProductResource(await catalog.getProduct(req.caller, req.params.id), req.principal.livemode),
    });

    const updateProduct = {
      summary: 'Update a product',
      description: 'Only the fields sent change; metadata is merged (a key set to null is removed). `active: false` archives: products are never deleted.',
      tags,
      params: ProductParams,
      body: UpdateProductBody,
      response: { 200: Product, ...problemResponses('validation_failed', 'not_found', 'idempotency_key_reused') },
    };
    patchWithPostAlias('updateProduct', updateProduct, (method, schema) =>
      app.route({
        method,
        url: '/v1/products/:id',
        schema,
        handler: async (req) => toProductResource(await catalog.updateProduct(req.caller, req.params.id, req.body ?? {}), req.principal.livemode),
      }),
    );

    app.post('/v1/prices', {
      schema: {
        operationId: 'createPrice',
        summary: 'Create a price',
        description:
          'Amounts, currency, tax behaviour, VAT rate and recurrence are fixed once created: to change them, create a new price and deactivate the old one. Send an Idempotency-Key to retry safely.',
        tags,
        body: CreatePriceBody,
        response: { 201: Price, ...problemResponses('validation_failed', 'idempotency_key_reused', 'payload_too_large', 'unsupported_media_type') },
      },
      handler: async (req, reply) => {
        const row = await catalog.createPrice(req.caller, req.body);
        reply.code(201);
        return toPriceResource(row, req.principal.livemode);
      },
    });

    app.get('/v1/prices', {
      schema: {
        operationId: 'listPrices',
        summary: 'List prices',
        description: 'Newest first. Page with `starting_after` set to the last id of the previous page.',
        tags,
        querystring: ListPricesQuery,
        response: { 200: PriceList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, product, active, type } = req.query;
        const page = await catalog.listPrices(
          req.caller,
          { productId: product, active, type },
          { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before },
        );
        return { object: 'list' as const, data: page.data.map((p) => toPriceResource(p, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/prices/:id', {
      schema: {
        operationId: 'getPrice',
        summary: 'Retrieve a price',
        description: 'Prices of archived products can still be retrieved.',
        tags,
        params: PriceParams,
        response: { 200: Price, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toPriceResource(await catalog.getPrice(req.caller, req.params.id), req.principal.livemode),
    });

    const updatePrice = {
      summary: 'Update a price',
      description: 'Only `nickname`, `metadata` (merged; a key set to null is removed) and `active` change; any other field is a 400.',
      tags,
      params: PriceParams,
      body: UpdatePriceBody,
      response: { 200: Price, ...problemResponses('validation_failed', 'not_found', 'idempotency_key_reused') },
    };
    patchWithPostAlias('updatePrice', updatePrice, (method, schema) =>
      app.route({
        method,
        url: '/v1/prices/:id',
        schema,
        handler: async (req) => toPriceResource(await catalog.updatePrice(req.caller, req.params.id, req.body ?? {}), req.principal.livemode),
      }),
    );
  };
