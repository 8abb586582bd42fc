import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebhookService } from './service.ts';
import { toEndpointObject } from './service.ts';
import type { AttemptRow, DeliveryRow } from './store.ts';
import { EventTypeSchema } from '../events/routes.ts';
import { Id, ListOf, ListQuery, Nullable, Timestamp, problemResponses } from '../../http/schemas.ts';

const tags = ['Webhooks'];

const EnabledEvents = Type.Array(Type.Union([Type.Literal('*'), EventTypeSchema]), {
  minItems: 1,
  maxItems: 100,
  description: 'Event types to send, or ["*"] for all',
  examples: [['invoice.paid', 'customer.churn_risk_changed']],
});

export const Endpoint = Type.Object(
  {
    id: Id('webhookEndpoint'),
    object: Type.Literal('webhook_endpoint'),
    url: Type.String(),
    description: Nullable(Type.String()),
    enabled_events: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('deleted')]),
    disabled_reason: Nullable(Type.String({ description: 'merchant, gone (the receiver answered 410), failing (no success for 5 days) or deleted' })),
    created_at: Timestamp('When the endpoint was created'),
    updated_at: Timestamp('When the endpoint last changed'),
  },
  { $id: 'WebhookEndpoint', description: 'Where events are POSTed, signed per Standard Webhooks' },
);
const EndpointWithSecret = Type.Object(
  { ...Endpoint.properties, secret: Type.String({ description: 'whsec_…: verify signatures with it. Shown on creation, rotation and reveal.' }) },
  { description: 'The endpoint with its signing secret' },
);
const Secret = Type.Object(
  {
    secret: Type.String({ examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }),
    previous_secret: Nullable(Type.String({ description: 'Still signing until previous_secret_expires_at (rotation overlap)' })),
    previous_secret_expires_at: Nullable(Timestamp('End of the rotation overlap')),
  },
  { $id: 'WebhookSecret', description: 'The signing secret(s) of an endpoint' },
);
const Delivery = Type.Object(
  {
    object: Type.Literal('webhook_delivery'),
    endpoint_id: Id('webhookEndpoint'),
    event_id: Id('event', 'The event, also the webhook-id header receivers deduplicate on'),
    status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    next_attempt_at: Nullable(Timestamp('When the next attempt is due')),
    last_attempt_at: Nullable(Timestamp('When it was last tried')),
    delivered_at: Nullable(Timestamp('When a receiver accepted it')),
    created_at: Timestamp('When the delivery was created'),
  },
  { $id: 'WebhookDelivery', description: 'One event on its way to one endpoint' },
);
const Attempt = Type.Object(
  {
    id: Id('webhookAttempt'),
    object: Type.Literal('webhook_attempt'),
    attempt: Type.Integer({ description: '1 for the first try' }),
    url: Type.String(),
    succeeded: Type.Boolean(),
    status_code: Nullable(Type.Integer()),
    latency_ms: Type.Integer(),
    response_excerpt: Nullable(Type.String({ description: 'First 1 KiB of the response body' })),
    error: Nullable(Type.String({ description: 'Timeout, connection or policy error' })),
    created_at: Timestamp('When the attempt was made'),
  },
  { $id: 'WebhookAttempt', description: 'One HTTP attempt of a delivery' },
);

const iso = (d: Date | null) => d?.toISOString() ?? null;
const toDelivery = (d: DeliveryRow) => ({
  object: 'webhook_delivery' as const,
  endpoint_id: d.endpointId,
  event_id: d.eventId,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: iso(d.nextAttemptAt),
  last_attempt_at: iso(d.lastAttemptAt),
  delivered_at: iso(d.deliveredAt),
  created_at: d.createdAt.toISOString(),
});
const toAttempt = (a: AttemptRow) => ({
  id: a.id,
  object: 'webhook_attempt' as const,
  attempt: a.attempt,
  url: a.url,
  succeeded: a.succeeded,
  status_code: a.statusCode,
  latency_ms: a.latencyMs,
  response_excerpt: a.responseExcerpt,
  error: a.error,
  created_at: a.createdAt.toISOString(),
});

const Params = Type.Object({ id: Id('webhookEndpoint') });
const DeliveryParams = Type.Object({ id: Id('webhookEndpoint'), event_id: Id('event') });

export const webhookRoutes =
  (deps: { webhooks: WebhookService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { webhooks } = deps;

    app.post('/v1/webhook-endpoints', {
      schema: {
        operationId: 'createWebhookEndpoint',
        summary: 'Create a webhook endpoint',
        description:
          'The URL must be https in live mode and must not resolve to a private, loopback, link-local or metadata address (checked again at every delivery). The secret is in the response.',
        tags,
        body: Type.Object(
          {
            url: Type.String({ minLength: 8, maxLength: 2048, examples: ['https://crm.example.se/hooks/omtanke'] }),
            enabled_events: Type.Optional(EnabledEvents),
            description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            enabled: Type.Optional(Type.Boolean({ default: true })),
          },
          { additionalProperties: false, examples: [{ url: 'https://crm.example.se/hooks/omtanke', enabled_events: ['*'] }] },
        ),
        response: { 201: EndpointWithSecret, ...problemResponses('validation_failed', 'invalid_webhook_url') },
      },
      handler: async (req, reply) => {
        const e = await webhooks.create(req.caller, req.body);
        reply.code(201);
        return { ...toEndpointObject(e), secret: e.secret };
      },
    });

    app.get('/v1/webhook-endpoints', {
      schema: {
        operationId: 'listWebhookEndpoints',
        summary: 'List webhook endpoints',
        description: 'Newest first. Secrets are not listed: reveal one with GET /v1/webhook-endpoints/{id}/secret.',
        tags,
        querystring: Type.Object({ ...ListQuery, starting_after: Type.Optional(Id('webhookEndpoint')) }, { additionalProperties: false }),
        response: { 200: ListOf(Endpoint, 'A page of endpoints, newest first'), ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const page = await webhooks.list(req.caller, { limit: req.query.limit ?? 10, startingAfter: req.query.starting_after });
        return { object: 'list' as const, data: page.data.map(toEndpointObject), has_more: page.hasMore };
      },
    });

    app.get('/v1/webhook-endpoints/:id', {
      schema: { operationId: 'getWebhookEndpoint', summary: 'Retrieve a webhook endpoint', description: 'Its URL, subscribed event types and status (`disabled_reason` says why one stopped). The secret is not shown.', tags, params: Params, response: { 200: Endpoint, ...problemResponses('validation_failed', 'not_found') } },
      handler: async (req) => toEndpointObject(await webhooks.get(req.caller, req.params.id)),
    });

    app.patch('/v1/webhook-endpoints/:id', {
      schema: {
        operationId: 'updateWebhookEndpoint',
        summary: 'Update a webhook endpoint',
        description: '`enabled: true` re-enables a disabled endpoint (its pending deliveries resume; replay to resend older ones).',
        tags,
        params: Params,
        body: Type.Object(
          {
            url: Type.Optional(Type.String({ minLength: 8, maxLength: 2048 })),
            enabled_events: Type.Optional(EnabledEvents),
            description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, examples: [{ enabled: true }] },
        ),
        response: { 200: Endpoint, ...problemResponses('validation_failed', 'not_found', 'invalid_webhook_url') },
      },
      handler: async (req) => toEndpointObject(await webhooks.update(req.caller, req.params.id, req.body ?? {})),
    });

    app.delete('/v1/webhook-endpoints/:id', {
      schema: { operationId: 'deleteWebhookEndpoint', summary: 'Delete a webhook endpoint', description: 'The endpoint gets status `deleted` (`disabled_reason: deleted`) and no further deliveries; its record and delivery history stay readable.', tags, params: Params, response: { 200: Endpoint, ...problemResponses('validation_failed', 'not_found') } },
      handler: async (req) => toEndpointObject(await webhooks.remove(req.caller, req.params.id)),
    });

    app.get('/v1/webhook-endpoints/:id/secret', {
      schema: { operationId: 'revealWebhookSecret', summary: 'Reveal the signing secret', description: 'The current signing secret and, during a rotation overlap, the previous one and when it stops signing.', tags, params: Params, response: { 200: Secret, ...problemResponses('validation_failed', 'not_found') } },
      handler: async (req) => webhooks.revealSecret(req.caller, req.params.id),
    });

    app.post('/v1/webhook-endpoints/:id/rotate-secret', {
      schema: {
        operationId: 'rotateWebhookSecret',
        summary: 'Rotate the signing secret',
        description: 'A new secret signs at once; the old one keeps signing beside it (two signatures in webhook-signature) for `overlap_hours` (default 24).',
        tags,
        params: Params,
        body: Type.Object({ overlap_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 168, default: 24 })) }, { additionalProperties: false, examples: [{ overlap_hours: 24 }] }),
        response: { 200: EndpointWithSecret, ...problemResponses('validation_failed', 'not_found') },
      },
      // The body is optional: no body means the default overlap.
      preValidation: async (req) => {
        req.body ??= {};
      },
      handler: async (req) => {
        const e = await webhooks.rotateSecret(req.caller, req.params.id, req.body?.overlap_hours ?? 24);
        return { ...toEndpointObject(e), secret: e.secret };
      },
    });

    app.get('/v1/webhook-endpoints/:id/deliveries', {
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: "List an endpoint's deliveries",
        description: 'Newest first: one delivery per event sent to this endpoint, with its status, attempts and next retry.',
        tags,
        params: Params,
        querystring: Type.Object(
          { ...ListQuery, starting_after: Type.Optional(Id('event')), status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])) },
          { additionalProperties: false },
        ),
        response: { 200: ListOf(Delivery, 'Deliveries, newest event first'), ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => {
        const page = await webhooks.listDeliveries(req.caller, { endpointId: req.params.id, status: req.query.status }, { limit: req.query.limit ?? 10, startingAfter: req.query.starting_after });
        return { object: 'list' as const, data: page.data.map(toDelivery), has_more: page.hasMore };
      },
    });

    app.get('/v1/events/:id/deliveries', {
      schema: {
        operationId: 'listEventDeliveries',
        summary: "List an event's deliveries (one per endpoint)",
        description: 'One delivery per endpoint the event was sent to, with its status, attempts and next retry.',
        tags,
        params: Type.Object({ id: Id('event') }),
        querystring: Type.Object({ ...ListQuery, starting_after: Type.Optional(Id('webhookEndpoint')) }, { additionalProperties: false }),
        response: { 200: ListOf(Delivery, 'Deliveries of the event'), ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => {
        const page = await webhooks.listDeliveries(req.caller, { eventId: req.params.id }, { limit: req.query.limit ?? 10, startingAfter: req.query.starting_after });
        return { object: 'list' as const, data: page.data.map(toDelivery), has_more: page.hasMore };
      },
    });

    app.get('/v1/webhook-endpoints/:id/deliveries/:event_id', {
      schema: { operationId: 'getWebhookDelivery', summary: 'Retrieve a delivery', description: 'The delivery of one event to one endpoint: its status, number of attempts and next retry.', tags, params: DeliveryParams, response: { 200: Delivery, ...problemResponses('validation_failed', 'not_found') } },
      handler: async (req) => toDelivery(await webhooks.getDelivery(req.caller, req.params.id, req.params.event_id)),
    });

    app.get('/v1/webhook-endpoints/:id/deliveries/:event_id/attempts', {
      schema: {
        operationId: 'listWebhookAttempts',
        summary: "List a delivery's attempts",
        description: 'Every attempt of one delivery, oldest first: status code, latency, the first 1 KiB of the response and the error.',
        tags,
        params: DeliveryParams,
        querystring: Type.Object({ ...ListQuery, starting_after: Type.Optional(Id('webhookAttempt')) }, { additionalProperties: false }),
        response: { 200: ListOf(Attempt, 'Attempts, oldest first'), ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => {
        const page = await webhooks.listAttempts(req.caller, req.params.id, req.params.event_id, { limit: req.query.limit ?? 10, startingAfter: req.query.starting_after });
        return { object: 'list' as const, data: page.data.map(toAttempt), has_more: page.hasMore };
      },
    });

    app.post('/v1/webhook-endpoints/:id/deliveries/:event_id/retry', {
      schema: {
        operationId: 'retryWebhookDelivery',
        summary: 'Retry a delivery now',
        description: 'Whatever its state; the retry schedule starts over. Receivers see the same webhook-id.',
        tags,
        params: DeliveryParams,
        response: { 200: Delivery, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toDelivery(await webhooks.retryDelivery(req.caller, req.params.id, req.params.event_id)),
    });

    app.post('/v1/webhook-endpoints/:id/replay', {
      schema: {
        operationId: 'replayWebhookEvents',
        summary: 'Replay events to an endpoint',
        description: 'Sends again every event since `since` (delivered or not) that the endpoint subscribes to: at most 30 days back and 10,000 events.',
        tags,
        params: Params,
        body: Type.Object(
          { since: Timestamp('Replay events created at or after'), until: Type.Optional(Timestamp('…and at or before (default now)')) },
          { additionalProperties: false, examples: [{ since: '2026-11-24T00:00:00Z' }] },
        ),
        response: {
          200: Type.Object({ object: Type.Literal('webhook_replay'), events_queued: Type.Integer(), since: Type.String(), until: Type.String() }, { description: 'How many deliveries were queued' }),
          ...problemResponses('validation_failed', 'not_found'),
        },
      },
      handler: async (req) => ({
        object: 'webhook_replay' as const,
        ...(await webhooks.replay(req.caller, req.params.id, new Date(req.body.since), req.body.until ? new Date(req.body.until) : undefined)),
      }),
    });
  };
