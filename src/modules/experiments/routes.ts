import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { ExperimentService } from './service.ts';
import {
  CreateExperimentBody,
  Experiment,
  ExperimentList,
  ExperimentParams,
  ExperimentResultsSchema,
  ListExperimentsQuery,
  StopExperimentBody,
  toExperimentResource,
  toResultsResource,
} from './contract.ts';

const tags = ['Analytics'];

export const experimentRoutes =
  (deps: { experiments: Pick<ExperimentService, 'create' | 'get' | 'list' | 'stop' | 'results'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { experiments } = deps;

    app.post('/v1/experiments', {
      schema: {
        operationId: 'createExperiment',
        summary: 'Start an experiment',
        description:
          'Starts at once. Your customers without a dunning policy of their own are split over the arms by weight, by a stable hash of the experiment id and the customer id (sha256: the same customer always lands in the same arm, in every process and after restarts; nothing is stored per customer). A customer’s reminder process that has not sent anything yet follows the arm’s policy (null: your default), and every message the arm’s tone (null: the step’s own); processes already under way keep their policy. One experiment runs at a time (409 while another runs). Each arm’s policy must exist (400 naming it). Send an Idempotency-Key to retry safely.',
        tags,
        body: CreateExperimentBody,
        response: { 201: Experiment, ...problemResponses('validation_failed', 'invalid_state', 'idempotency_key_reused', 'payload_too_large', 'unsupported_media_type') },
      },
      handler: async (req, reply) => {
        reply.code(201);
        return toExperimentResource(await experiments.create(req.caller, req.body), req.principal.livemode);
      },
    });

    app.get('/v1/experiments', {
      schema: {
        operationId: 'listExperiments',
        summary: 'List experiments',
        description: 'Newest first; `status` filters running or stopped ones.',
        tags,
        querystring: ListExperimentsQuery,
        response: { 200: ExperimentList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { status, limit, starting_after, ending_before } = req.query;
        const page = await experiments.list(req.caller, { status }, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map((e) => toExperimentResource(e, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/experiments/:id', {
      schema: {
        operationId: 'getExperiment',
        summary: 'Retrieve an experiment',
        description: 'Its arms, status and winner.',
        tags,
        params: ExperimentParams,
        response: { 200: Experiment, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toExperimentResource(await experiments.get(req.caller, req.params.id), req.principal.livemode),
    });

    app.get('/v1/experiments/:id/results', {
      schema: {
        operationId: 'getExperimentResults',
        summary: 'An experiment’s results',
        description: [
          'Per arm: the customers reminded while it ran (each from their first message under it: the sample size), the messages and invoices, how many of those customers paid every invoice of that first message in full within 2 Swedish bank days of it, and how many churned within 90 days (definitions as in GET /v1/analytics/reminders). The customer is the unit because the split is by customer: one customer’s invoices are not independent.',
          'Each arm after the first is compared with the first (the control): the difference in the paid-within-2-bank-days rate with its 95 % confidence interval (unpooled standard error), the z statistic (pooled) and the two-sided p-value of the two-proportion z-test, and `too_small_to_tell` while an arm has fewer than 10 expected successes or failures at the pooled rate.',
          'After a stop the results stay: they are always counted from the messages sent while it ran, whose outcomes keep maturing.',
        ].join('\n\n'),
        tags,
        params: ExperimentParams,
        response: { 200: ExperimentResultsSchema, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toResultsResource(await experiments.results(req.caller, req.params.id)),
    });

    app.post('/v1/experiments/:id/stop', {
      schema: {
        operationId: 'stopExperiment',
        summary: 'Stop an experiment',
        description:
          'Names the winning arm: from now on every customer it covered gets the winner’s tone, and their reminder processes that have not sent anything yet its policy, until you start another experiment. The results stay. 409 when it is already stopped; 400 when the winner is not one of its arms. Send an Idempotency-Key to retry safely.',
        tags,
        params: ExperimentParams,
        body: StopExperimentBody,
        response: { 200: Experiment, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req) => toExperimentResource(await experiments.stop(req.caller, req.params.id, req.body.winner), req.principal.livemode),
    });
  };
