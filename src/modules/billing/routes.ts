import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { BillingService, BillingRun as BillingRunModel } from './service.ts';
import { Id, ListOf, ListQuery, Nullable, Timestamp, problemResponses } from '../../http/schemas.ts';

const tags = ['Billing runs'];

const BillingRun = Type.Object(
  {
    id: Id('billingRun'),
    object: Type.Literal('billing_run'),
    livemode: Type.Boolean(),
    status: Type.Enum(['pending', 'running', 'completed', 'failed']),
    trigger: Type.Enum(['api', 'schedule', 'test_clock']),
    test_clock: Nullable(Type.String()),
    as_of: Timestamp('Everything due by this moment is invoiced'),
    subscriptions_due: Type.Integer({ description: 'Subscriptions due when the run started' }),
    invoices_created: Type.Integer({ description: 'Done so far' }),
    subscriptions_ended: Type.Integer({ description: 'Canceled at period end, ended by this run' }),
    subscriptions_left: Type.Integer({ description: 'Still due (0 once completed)' }),
    progress: Type.Object(
      { done: Type.Integer({ description: 'Invoices created plus subscriptions ended' }), left: Type.Integer({ description: 'Subscriptions still due' }) },
      { description: 'Done and left, for a progress bar' },
    ),
    batches: Type.Integer(),
    last_error: Nullable(Type.String()),
    created_at: Timestamp('When the run was created'),
    updated_at: Timestamp('Last progress'),
    completed_at: Nullable(Timestamp('When it finished')),
  },
  { $id: 'BillingRun', description: 'A billing run: invoices every subscription whose period has started and has no invoice yet' },
);
type BillingRunResource = Static<typeof BillingRun>;

function toResource(run: BillingRunModel & { subscriptionsLeft?: number }, livemode: boolean): BillingRunResource {
  const left = run.subscriptionsLeft ?? (run.status === 'completed' ? 0 : Math.max(0, run.subscriptionsDue - run.invoicesCreated - run.subscriptionsEnded));
  return {
    id: run.id,
    object: 'billing_run',
    livemode,
    status: run.status,
    trigger: run.trigger,
    test_clock: run.testClockId,
    as_of: run.asOf.toISOString(),
    subscriptions_due: run.subscriptionsDue,
    invoices_created: run.invoicesCreated,
    subscriptions_ended: run.subscriptionsEnded,
    subscriptions_left: left,
    progress: { done: run.invoicesCreated + run.subscriptionsEnded, left },
    batches: run.batches,
    last_error: run.lastError,
    created_at: run.createdAt.toISOString(),
    updated_at: run.updatedAt.toISOString(),
    completed_at: run.completedAt?.toISOString() ?? null,
  };
}

const Params = Type.Object({ id: Id('billingRun', 'The billing run id') });

const StartRunBody = Type.Object(
  {
    test_clock: Type.Optional(
      Id('testClock', "Bill this test clock's customers as of the clock's frozen time (test mode) instead of the customers on real time"),
    ),
  },
  { additionalProperties: false, examples: [{}, { test_clock: 'clock_01KCZ3W0ZK4Q8T5V7X9Y1A2B3C' }] },
);

export const billingRoutes =
  (deps: { billing: BillingService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { billing } = deps;

    app.post('/v1/billing-runs', {
      schema: {
        operationId: 'createBillingRun',
        summary: 'Start a billing run now',
        description:
          'Invoices every subscription (of customers on real time, or of one test clock\'s customers as of its frozen time) whose period has started and has no invoice yet, in batches, exactly once per subscription and period. Runs in the background as a job sent with the run (it resumes by itself if a worker dies): follow it with GET. The hourly schedule does the same on its own.',
        tags,
        body: StartRunBody,
        response: { 202: BillingRun, ...problemResponses('validation_failed', 'test_mode_only', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req, reply) => {
        const run = await billing.startRun(req.caller, req.body ?? {});
        reply.code(202);
        return toResource(run, req.principal.livemode);
      },
    });

    app.get('/v1/billing-runs', {
      schema: {
        operationId: 'listBillingRuns',
        summary: 'List billing runs',
        description: 'Newest first, scheduled and API-started runs alike.',
        tags,
        querystring: Type.Object({ ...ListQuery, starting_after: Type.Optional(Id('billingRun')), ending_before: Type.Optional(Id('billingRun')) }, { additionalProperties: false }),
        response: { 200: ListOf(BillingRun, 'A page of billing runs, newest first'), ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before } = req.query;
        const page = await billing.listRuns(req.caller, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map((r) => toResource(r, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/billing-runs/:id', {
      schema: {
        operationId: 'getBillingRun',
        summary: 'Retrieve a billing run and its progress',
        description: 'Poll it while `status` is pending or running: `progress` says how many subscriptions are done and left.',
        tags,
        params: Params,
        response: { 200: BillingRun, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toResource(await billing.getRun(req.caller, req.params.id), req.principal.livemode),
    });
  };
