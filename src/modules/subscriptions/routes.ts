import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { patchWithPostAlias } from '../../http/update-route.ts';
import type { SubscriptionService, Subscription as SubscriptionModel } from './service.ts';
import {
  CancelSubscriptionBody,
  CreateSubscriptionBody,
  ListSubscriptionsQuery,
  Subscription,
  SubscriptionList,
  SubscriptionParams,
  UpdateSubscriptionBody,
  toSubscriptionResource,
} from './contract.ts';
import { problemResponses } from '../../http/schemas.ts';

const tags = ['Subscriptions'];

export const subscriptionRoutes =
  (deps: { subscriptions: SubscriptionService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { subscriptions } = deps;
    const show = (s: SubscriptionModel, livemode: boolean) => toSubscriptionResource(s, s.items, livemode);
    const actionResponses = { 200: Subscription, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'seller_settings_incomplete', 'idempotency_key_reused') };

    app.post('/v1/subscriptions', {
      schema: {
        operationId: 'createSubscription',
        summary: 'Create a subscription',
        description:
          'Billed in advance per period from the start date (or the trial end), on that day of the month (the 29th–31st fall on the last day of shorter months). When the first period has started, its invoice is created, finalised and numbered in the same request. Send an Idempotency-Key to retry safely.',
        tags,
        body: CreateSubscriptionBody,
        response: { 201: Subscription, ...problemResponses('validation_failed', 'seller_settings_incomplete', 'idempotency_key_reused') },
      },
      handler: async (req, reply) => {
        const sub = await subscriptions.create(req.caller, req.body);
        reply.code(201);
        return show(sub, req.principal.livemode);
      },
    });

    app.get('/v1/subscriptions', {
      schema: {
        operationId: 'listSubscriptions',
        summary: 'List subscriptions',
        description: 'Newest first; filter by `customer` or `status`.',
        tags,
        querystring: ListSubscriptionsQuery,
        response: { 200: SubscriptionList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, customer, status } = req.query;
        const page = await subscriptions.list(req.caller, { customerId: customer, status }, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map((s) => show(s, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/subscriptions/:id', {
      schema: { operationId: 'getSubscription', summary: 'Retrieve a subscription', description: 'With its items, current period, next billing date and any cancellation details.', tags, params: SubscriptionParams, response: { 200: Subscription, ...problemResponses('validation_failed', 'not_found') } },
      handler: async (req) => show(await subscriptions.get(req.caller, req.params.id), req.principal.livemode),
    });

    const update = {
      summary: 'Change a subscription’s items or metadata',
      description:
        'New items (price or quantity) take effect at once; with proration_behavior create_prorations (default) the unused part of the old items is credited and the new ones charged for the rest of the period, on the next invoice.',
      tags,
      params: SubscriptionParams,
      body: UpdateSubscriptionBody,
      response: actionResponses,
    };
    patchWithPostAlias('updateSubscription', update, (method, schema) =>
      app.route({
        method,
        url: '/v1/subscriptions/:id',
        schema,
        handler: async (req) => show(await subscriptions.update(req.caller, req.params.id, req.body ?? {}), req.principal.livemode),
      }),
    );

    app.post('/v1/subscriptions/:id/cancel', {
      schema: {
        operationId: 'cancelSubscription',
        summary: 'Cancel a subscription',
        description:
          'Records the reason (fixed set), free-text feedback and who initiated it. `at_period_end: true` keeps it until the paid period ends; otherwise it ends now, and `prorate: true` credits the unused days with a credit note.',
        tags,
        params: SubscriptionParams,
        body: CancelSubscriptionBody,
        response: actionResponses,
      },
      handler: async (req) => show(await subscriptions.cancel(req.caller, req.params.id, req.body), req.principal.livemode),
    });

    app.post('/v1/subscriptions/:id/pause', {
      schema: { operationId: 'pauseSubscription', summary: 'Pause a subscription', description: 'No invoices while paused.', tags, params: SubscriptionParams, response: actionResponses },
      handler: async (req) => show(await subscriptions.pause(req.caller, req.params.id), req.principal.livemode),
    });

    app.post('/v1/subscriptions/:id/resume', {
      schema: {
        operationId: 'resumeSubscription',
        summary: 'Resume a paused subscription',
        description: 'Within the period already invoiced, billing continues on its dates; after it, a new period starts today and is invoiced at once.',
        tags,
        params: SubscriptionParams,
        response: actionResponses,
      },
      handler: async (req) => show(await subscriptions.resume(req.caller, req.params.id), req.principal.livemode),
    });

    app.post('/v1/subscriptions/:id/reactivate', {
      schema: {
        operationId: 'reactivateSubscription',
        summary: 'Reactivate a subscription',
        description: 'Undoes a pending cancel-at-period-end; a canceled subscription starts a new period today, invoiced at once.',
        tags,
        params: SubscriptionParams,
        response: actionResponses,
      },
      handler: async (req) => show(await subscriptions.reactivate(req.caller, req.params.id), req.principal.livemode),
    });
  };
