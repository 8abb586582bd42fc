import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MerchantService } from './service.ts';
import {
  ApiKeyList,
  ApiKeyParams,
  ApiKeyResource,
  CreateApiKeyBody,
  ListApiKeysQuery,
  MerchantResource,
  NewApiKeyResource,
  UpdateMerchantBody,
  toApiKeyResource,
  toMerchantResource,
} from './contract.ts';
import { problemResponses } from '../../http/schemas.ts';

export const merchantRoutes =
  (deps: { merchants: MerchantService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { merchants } = deps;

    app.get('/v1/merchant', {
      schema: {
        operationId: 'getMerchant',
        summary: 'Retrieve the merchant that owns the API key',
        description: 'The merchant the API key belongs to, with its seller settings (what invoices show about the seller).',
        tags: ['Merchant'],
        response: { 200: MerchantResource, ...problemResponses() },
      },
      handler: async (req) => toMerchantResource(await merchants.getMerchant(req.caller)),
    });

    app.patch('/v1/merchant', {
      schema: {
        operationId: 'updateMerchant',
        summary: "Update the merchant's seller settings",
        description: 'What invoices and payment instructions print: legal name, address, organisation and VAT number, F-skatt, bankgiro (check digit validated), Swish, time zone, payment terms, number series, OCR length digit.',
        tags: ['Merchant'],
        body: UpdateMerchantBody,
        response: { 200: MerchantResource, ...problemResponses('validation_failed', 'invalid_state') },
      },
      handler: async (req) => toMerchantResource(await merchants.updateSettings(req.caller, req.body ?? {})),
    });

    app.post('/v1/api-keys', {
      schema: {
        operationId: 'createApiKey',
        summary: 'Create an API key',
        description: 'The secret is in this response only; we keep just its hash. A merchant can hold several keys (for rotation).',
        tags: ['API keys'],
        body: CreateApiKeyBody,
        response: { 201: NewApiKeyResource, ...problemResponses('validation_failed', 'idempotency_key_reused') },
      },
      handler: async (req, reply) => {
        const { key, secret } = await merchants.createApiKey(req.caller, { name: req.body?.name });
        reply.code(201);
        return { ...toApiKeyResource(key), secret };
      },
    });

    app.get('/v1/api-keys', {
      schema: {
        operationId: 'listApiKeys',
        summary: 'List API keys',
        description: 'Newest first, revoked keys included. A key shows only its mode and last four characters: the secret is shown once, when it is created.',
        tags: ['API keys'],
        querystring: ListApiKeysQuery,
        response: { 200: ApiKeyList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before } = req.query;
        const page = await merchants.listApiKeys(req.caller, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map(toApiKeyResource), has_more: page.hasMore };
      },
    });

    app.post('/v1/api-keys/:id/revoke', {
      schema: {
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key',
        description: 'Takes effect on the next request. A key can revoke itself.',
        tags: ['API keys'],
        params: ApiKeyParams,
        response: { 200: ApiKeyResource, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toApiKeyResource(await merchants.revokeApiKey(req.caller, req.params.id)),
    });
  };
