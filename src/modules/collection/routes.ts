import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { CollectionService } from './service.ts';
import { CollectionAttempt, CollectionAttemptList, CollectionAttemptParams, ListCollectionAttemptsQuery, toAttemptResource } from './contract.ts';

const tags = ['Collection'];

export const collectionRoutes =
  (deps: { collection: Pick<CollectionService, 'get' | 'list'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { collection } = deps;

    app.get('/v1/collection-attempts', {
      schema: {
        operationId: 'listCollectionAttempts',
        summary: 'List collection attempts',
        description:
          'Newest first. Every try of collecting an invoice through a processor (card, Swish, autogiro): its status, the processor’s outcome and code, and when the next attempt falls due. Filter by `invoice` to see one invoice’s collection, by `customer` or `status` (`exhausted`: invoices left to reminders).',
        tags,
        querystring: ListCollectionAttemptsQuery,
        response: { 200: CollectionAttemptList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { invoice, customer, status, limit, starting_after, ending_before } = req.query;
        const p = await collection.list(req.caller, { invoiceId: invoice, customerId: customer, status }, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: p.data.map((r) => toAttemptResource(r, req.principal.livemode)), has_more: p.hasMore };
      },
    });

    app.get('/v1/collection-attempts/:id', {
      schema: {
        operationId: 'getCollectionAttempt',
        summary: 'Retrieve a collection attempt',
        description: 'One try of collecting an invoice: the payment method charged (never its token), the amount, when it was due, and the processor’s outcome.',
        tags,
        params: CollectionAttemptParams,
        response: { 200: CollectionAttempt, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toAttemptResource(await collection.get(req.caller, req.params.id), req.principal.livemode),
    });
  };
