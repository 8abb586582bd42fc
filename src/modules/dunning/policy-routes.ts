import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { patchWithPostAlias } from '../../http/update-route.ts';
import { problemResponses } from '../../http/schemas.ts';
import type { DunningPolicyService } from './policies.ts';
import { CreatePolicyBody, DunningPolicy, ListPoliciesQuery, PolicyList, PolicyParams, UpdatePolicyBody, toPolicyResource } from './policy-contract.ts';

const tags = ['Dunning'];

export const dunningPolicyRoutes =
  (deps: { policies: Pick<DunningPolicyService, 'create' | 'list' | 'get' | 'update'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { policies } = deps;

    app.post('/v1/dunning-policies', {
      schema: {
        operationId: 'createDunningPolicy',
        summary: 'Create a dunning policy',
        description:
          'Steps default to the built-in process (pre-due nudge 3 days before, due-date soft reminder, a friendly reminder 3 bank days after, a second reminder 14 days after with the fee if enabled, escalation after 28 days); rules not sent keep their defaults. A fee above 60 kr, a fee step before any fee-free reminder, or steps out of order are refused (400, naming the field). The merchant’s first policy becomes its default. Send an Idempotency-Key to retry safely.',
        tags,
        body: CreatePolicyBody,
        response: { 201: DunningPolicy, ...problemResponses('validation_failed', 'idempotency_key_reused', 'payload_too_large', 'unsupported_media_type') },
      },
      handler: async (req, reply) => {
        reply.code(201);
        return toPolicyResource(await policies.create(req.caller, req.body), req.principal.livemode);
      },
    });

    app.get('/v1/dunning-policies', {
      schema: {
        operationId: 'listDunningPolicies',
        summary: 'List dunning policies',
        description: 'Newest first. The merchant’s default is always there: it is made from the built-in policy the first time it is needed.',
        tags,
        querystring: ListPoliciesQuery,
        response: { 200: PolicyList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before } = req.query;
        const page = await policies.list(req.caller, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map((p) => toPolicyResource(p, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/dunning-policies/:id', {
      schema: {
        operationId: 'getDunningPolicy',
        summary: 'Retrieve a dunning policy',
        description: 'Its steps and rules.',
        tags,
        params: PolicyParams,
        response: { 200: DunningPolicy, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toPolicyResource(await policies.get(req.caller, req.params.id), req.principal.livemode),
    });

    patchWithPostAlias(
      'updateDunningPolicy',
      {
        summary: 'Update a dunning policy',
        description: 'Only the fields sent change (rules are merged). Invoices already in the process follow the new steps from their next step on. `is_default: true` makes it the default.',
        tags,
        params: PolicyParams,
        body: UpdatePolicyBody,
        response: { 200: DunningPolicy, ...problemResponses('validation_failed', 'not_found', 'idempotency_key_reused') },
      },
      (method, schema) =>
        app.route({
          method,
          url: '/v1/dunning-policies/:id',
          schema,
          handler: async (req) => toPolicyResource(await policies.update(req.caller, req.params.id, req.body ?? {}), req.principal.livemode),
        }),
    );
  };
