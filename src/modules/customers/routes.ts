import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { patchWithPostAlias } from '../../http/update-route.ts';
import type { CustomerService } from './service.ts';
import {
  CreateCustomerBody,
  Customer,
  CustomerList,
  CustomerParams,
  ListCustomersQuery,
  UpdateCustomerBody,
  toCustomerResource,
} from './contract.ts';
import { problemResponses } from '../../http/schemas.ts';

const tags = ['Customers'];

export const customerRoutes =
  (deps: { customers: CustomerService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { customers } = deps;

    app.post('/v1/customers', {
      schema: {
        operationId: 'createCustomer',
        summary: 'Create a customer',
        description: 'Validates Swedish identity numbers with their check digit. Send an Idempotency-Key to retry safely.',
        tags,
        body: CreateCustomerBody,
        response: { 201: Customer, ...problemResponses('validation_failed', 'external_id_taken', 'idempotency_key_reused', 'payload_too_large', 'unsupported_media_type') },
      },
      handler: async (req, reply) => {
        const row = await customers.create(req.caller, req.body);
        reply.code(201);
        return toCustomerResource(row, req.principal.livemode);
      },
    });

    app.get('/v1/customers', {
      schema: {
        operationId: 'listCustomers',
        summary: 'List customers',
        description: 'Newest first. Page with `starting_after` set to the last id of the previous page.',
        tags,
        querystring: ListCustomersQuery,
        response: { 200: CustomerList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, email, external_id, archived } = req.query;
        const page = await customers.list(
          req.caller,
          { email, externalId: external_id, archived },
          { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before },
        );
        return { object: 'list' as const, data: page.data.map((c) => toCustomerResource(c, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/customers/:id', {
      schema: {
        operationId: 'getCustomer',
        summary: 'Retrieve a customer',
        description: 'Archived customers are found too (`archived: true`). National ids are masked: only the last four digits are shown.',
        tags,
        params: CustomerParams,
        response: { 200: Customer, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toCustomerResource(await customers.get(req.caller, req.params.id), req.principal.livemode),
    });

    const update = {
      schema: {
        summary: 'Update a customer',
        description: 'Only the fields sent change; `null` clears an optional field; metadata is merged (a key set to null is removed).',
        tags,
        params: CustomerParams,
        body: UpdateCustomerBody,
        response: { 200: Customer, ...problemResponses('validation_failed', 'not_found', 'external_id_taken', 'idempotency_key_reused') },
      },
    };
    patchWithPostAlias('updateCustomer', update.schema, (method, schema) =>
      app.route({
        method,
        url: '/v1/customers/:id',
        schema,
        handler: async (req) => toCustomerResource(await customers.update(req.caller, req.params.id, req.body ?? {}), req.principal.livemode),
      }),
    );

    const archive = {
      summary: 'Archive a customer',
      description: 'Nothing is deleted: the customer, their history and choices stay, hidden from the default list, and can be restored.',
      tags,
      params: CustomerParams,
      response: { 200: Customer, ...problemResponses('validation_failed', 'not_found') },
    };
    app.post('/v1/customers/:id/archive', {
      schema: { ...archive, operationId: 'archiveCustomer' },
      handler: async (req) => toCustomerResource(await customers.archive(req.caller, req.params.id), req.principal.livemode),
    });
    app.delete('/v1/customers/:id', {
      schema: { ...archive, operationId: 'deleteCustomer', summary: 'Archive a customer (DELETE never hard-deletes)' },
      handler: async (req) => toCustomerResource(await customers.archive(req.caller, req.params.id), req.principal.livemode),
    });
    app.post('/v1/customers/:id/unarchive', {
      schema: {
        ...archive,
        operationId: 'unarchiveCustomer',
        summary: 'Restore an archived customer',
        description: 'A returning customer comes back with their earlier details and choices in place.',
      },
      handler: async (req) => toCustomerResource(await customers.unarchive(req.caller, req.params.id), req.principal.livemode),
    });
  };
