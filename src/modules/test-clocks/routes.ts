import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { TestClockService, TestClock as TestClockModel } from './service.ts';
import { Deleted, Id, ListOf, ListQuery, Nullable, Timestamp, problemResponses } from '../../http/schemas.ts';

const tags = ['Test clocks'];

const TestClock = Type.Object(
  {
    id: Id('testClock'),
    object: Type.Literal('test_clock'),
    livemode: Type.Literal(false),
    name: Nullable(Type.String()),
    frozen_time: Timestamp('The simulated now of the customers attached to this clock'),
    status: Type.Enum(['ready', 'advancing'], { description: 'advancing until the work due in the last jump is done' }),
    advancing_to: Nullable(Timestamp('Target of the advance in progress')),
    created_at: Timestamp('When the clock was created'),
  },
  { $id: 'TestClock', description: 'Simulated time for test-mode customers (set a customer’s test_clock at creation)' },
);

function toResource(c: TestClockModel): Static<typeof TestClock> {
  return {
    id: c.id,
    object: 'test_clock',
    livemode: false,
    name: c.name,
    frozen_time: c.frozenTime.toISOString(),
    status: c.status,
    advancing_to: c.targetTime?.toISOString() ?? null,
    created_at: c.createdAt.toISOString(),
  };
}

const Params = Type.Object({ id: Id('testClock', 'The test clock id') });
// ISO 8601, or Unix seconds as Stripe's test clocks take it.
const FrozenTime = (description: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0, maximum: 32503680000 })], { description: `${description} (ISO 8601 or Unix seconds)` });
const errors = problemResponses('validation_failed', 'not_found', 'test_mode_only', 'invalid_state', 'idempotency_key_reused');

export const testClockRoutes =
  (deps: { testClocks: TestClockService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { testClocks } = deps;

    app.post('/v1/test-clocks', {
      schema: {
        operationId: 'createTestClock',
        summary: 'Create a test clock',
        description: 'Test mode only (a live key gets 403).',
        tags,
        body: Type.Object(
          { frozen_time: FrozenTime('The starting time'), name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))) },
          { additionalProperties: false, examples: [{ frozen_time: '2026-01-31T10:00:00Z', name: 'Month-end renewals' }] },
        ),
        response: { 201: TestClock, ...errors },
      },
      handler: async (req, reply) => {
        const c = await testClocks.create(req.caller, req.body);
        reply.code(201);
        return toResource(c);
      },
    });

    app.get('/v1/test-clocks', {
      schema: {
        operationId: 'listTestClocks',
        summary: 'List test clocks',
        description: 'Newest first. Test mode only (a live key gets 403).',
        tags,
        querystring: Type.Object({ ...ListQuery, starting_after: Type.Optional(Id('testClock')), ending_before: Type.Optional(Id('testClock')) }, { additionalProperties: false }),
        response: { 200: ListOf(TestClock, 'A page of test clocks, newest first'), ...problemResponses('validation_failed', 'test_mode_only') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before } = req.query;
        const page = await testClocks.list(req.caller, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map(toResource), has_more: page.hasMore };
      },
    });

    app.get('/v1/test-clocks/:id', {
      schema: { operationId: 'getTestClock', summary: 'Retrieve a test clock', description: 'Its frozen time and whether an advance is still running. Test mode only.', tags, params: Params, response: { 200: TestClock, ...errors } },
      handler: async (req) => toResource(await testClocks.get(req.caller, req.params.id)),
    });

    app.delete('/v1/test-clocks/:id', {
      schema: {
        operationId: 'deleteTestClock',
        summary: 'Delete a test clock',
        description: 'Its customers keep their history and follow real time again.',
        tags,
        params: Params,
        response: { 200: Deleted('testClock', 'test_clock'), ...errors },
      },
      handler: async (req) => {
        const c = await testClocks.remove(req.caller, req.params.id);
        return { id: c.id, object: 'test_clock' as const, deleted: true as const };
      },
    });

    app.post('/v1/test-clocks/:id/advance', {
      schema: {
        operationId: 'advanceTestClock',
        summary: 'Advance a test clock',
        description:
          'Moves the clock to a later frozen_time (at most five years at a time). Everything due in between for its customers happens in order, as of its own date; the clock shows `advancing` until done, then `ready`.',
        tags,
        params: Params,
        body: Type.Object({ frozen_time: FrozenTime('The later time to move to') }, { additionalProperties: false, examples: [{ frozen_time: '2027-01-31T10:00:00Z' }] }),
        response: { 200: TestClock, ...errors },
      },
      handler: async (req) => toResource(await testClocks.advance(req.caller, req.params.id, req.body)),
    });
  };
