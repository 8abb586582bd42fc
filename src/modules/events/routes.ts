import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { EventService } from './service.ts';
import { toEventResource } from './service.ts';
import { EVENT_TYPE_NAMES } from './types.ts';
import { Id, ListOf, ListQuery, Timestamp, problemResponses } from '../../http/schemas.ts';

export const EventTypeSchema = Type.Union(EVENT_TYPE_NAMES.map((t) => Type.Literal(t)), { description: 'An event type' });

export const EventResource = Type.Object(
  {
    id: Id('event'),
    object: Type.Literal('event'),
    type: Type.String({ description: 'One of the event types listed in the API description', examples: ['customer.created'] }),
    api_version: Type.String({ examples: ['2026-11-25'] }),
    livemode: Type.Boolean(),
    created_at: Timestamp('When the change happened'),
    data: Type.Object(
      {
        object: Type.Record(Type.String(), Type.Unknown(), { description: 'The object as it was right after the change' }),
        previous_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'For *.updated: the previous values of what changed' })),
      },
    ),
  },
  { $id: 'Event', description: 'A state change, as delivered by webhooks (the body of every webhook request)' },
);

const tags = ['Events'];

export const eventRoutes =
  (deps: { events: EventService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/v1/events', {
      schema: {
        operationId: 'listEvents',
        summary: 'List events',
        description: 'Newest first. Poll this to catch up, or to rebuild after an outage on your side. Events are kept for at least 30 days.',
        tags,
        querystring: Type.Object(
          {
            ...ListQuery,
            starting_after: Type.Optional(Id('event')),
            ending_before: Type.Optional(Id('event')),
            type: Type.Optional(Type.Union([EventTypeSchema, Type.Array(EventTypeSchema, { maxItems: 20 })], { description: 'One type, or several (repeat the parameter)' })),
            object_id: Type.Optional(Type.String({ minLength: 3, maxLength: 64, description: 'Only events about this object' })),
            created_gte: Type.Optional(Timestamp('Only events at or after')),
            created_lte: Type.Optional(Timestamp('Only events at or before')),
          },
          { additionalProperties: false },
        ),
        response: { 200: ListOf(EventResource, 'A page of events, newest first'), ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const q = req.query;
        const page = await deps.events.list(
          req.caller,
          {
            types: q.type === undefined ? undefined : [q.type].flat(),
            objectId: q.object_id,
            createdGte: q.created_gte ? new Date(q.created_gte) : undefined,
            createdLte: q.created_lte ? new Date(q.created_lte) : undefined,
          },
          { limit: q.limit ?? 10, startingAfter: q.starting_after, endingBefore: q.ending_before },
        );
        return { object: 'list' as const, data: page.data.map(toEventResource), has_more: page.hasMore };
      },
    });

    app.get('/v1/events/:id', {
      schema: {
        operationId: 'getEvent',
        summary: 'Retrieve an event',
        description: 'Events are kept for at least 30 days; `data.object` is the object as it was right after the change.',
        tags,
        params: Type.Object({ id: Id('event') }),
        response: { 200: EventResource, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toEventResource(await deps.events.get(req.caller, req.params.id)),
    });
  };
