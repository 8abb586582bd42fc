import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

export type ReadinessCheck = () => Promise<Record<string, boolean>>;

const Health = Type.Object(
  { status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]), checks: Type.Optional(Type.Record(Type.String(), Type.Boolean())) },
  { $id: 'Health', description: 'Probe result; `checks` names each dependency', examples: [{ status: 'ok', checks: { database: true, job_queue: true } }] },
);

export const opsRoutes =
  (deps: { readiness: ReadinessCheck }): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/healthz', {
      schema: { operationId: 'healthz', summary: 'Liveness: the process is up', description: 'Answers 200 while the process runs; no dependency is checked. For liveness probes.', tags: ['Operations'], security: [], response: { 200: Health } },
      handler: async () => ({ status: 'ok' as const }),
    });
    app.get('/readyz', {
      schema: {
        operationId: 'readyz',
        summary: 'Readiness: the database and the job queue are reachable',
        description: 'Checks the database and the job queue: 200 when both answer, 503 naming the one that does not. For readiness probes and load balancers.',
        tags: ['Operations'],
        security: [],
        response: { 200: Health, 503: Health },
      },
      handler: async (_req, reply) => {
        const checks = await deps.readiness();
        const ok = Object.values(checks).every(Boolean);
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
      },
    });
  };
