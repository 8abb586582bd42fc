// buildApp(deps): the whole HTTP API as one Fastify instance. main.ts wires real dependencies;
// tests build the same app with a test clock and their own database.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { sql } from 'drizzle-orm';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { newId } from './db/ids.ts';
import { ProblemSchema, clientErrorHandler, frameworkErrorHandler, registerProblemHandlers } from './http/problem.ts';
import { registerValidation } from './http/validation.ts';
import { registerAuth } from './http/auth.ts';
import { registerRateLimit } from './http/rate-limit.ts';
import { registerIdempotency } from './http/idempotency.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { openapiDocument } from './http/openapi.ts';
import type { Services } from './services.ts';
import { merchantRoutes } from './modules/merchants/routes.ts';
import { customerRoutes } from './modules/customers/routes.ts';
import { churnRiskRoutes } from './modules/churn-risk/routes.ts';
import { catalogRoutes } from './modules/catalog/routes.ts';
import { eventRoutes } from './modules/events/routes.ts';
import { webhookRoutes } from './modules/webhooks/routes.ts';
import { invoiceRoutes } from './modules/invoices/routes.ts';
import { creditNoteRoutes } from './modules/invoices/credit-note-routes.ts';
import { peppolRoutes } from './modules/peppol/routes.ts';
import { subscriptionRoutes } from './modules/subscriptions/routes.ts';
import { billingRoutes } from './modules/billing/routes.ts';
import { testClockRoutes } from './modules/test-clocks/routes.ts';
import { paymentRoutes } from './modules/payments/routes.ts';
import { collectionRoutes } from './modules/collection/routes.ts';
import { paymentFileRoutes } from './modules/payments/file-routes.ts';
import { templateRoutes } from './modules/templates/routes.ts';
import { messageRoutes } from './modules/messages/routes.ts';
import { dunningPolicyRoutes } from './modules/dunning/policy-routes.ts';
import { dunningRoutes } from './modules/dunning/routes.ts';
import { analyticsRoutes } from './modules/analytics/routes.ts';
import { churnRoutes } from './modules/analytics/churn-routes.ts';
import { paymentPlanRoutes } from './modules/payment-plans/routes.ts';
import { experimentRoutes } from './modules/experiments/routes.ts';

export type AppConfig = Pick<
  Config,
  'BODY_LIMIT_BYTES' | 'RATE_LIMIT_PER_SECOND' | 'RATE_LIMIT_BURST' | 'IDEMPOTENCY_TTL_HOURS' | 'WEBHOOK_ALLOW_PRIVATE_URLS'
> &
  Partial<Pick<Config, 'RATE_LIMIT_SHARED' | 'PAYMENT_FILE_LIMIT_BYTES'>>;

export type AppDeps = {
  config: AppConfig;
  database: Database;
  // Built once per process (src/services.ts) and shared with the worker.
  services: Services;
  logger: Logger;
};

const REQUEST_ID = /^[\w.:-]{1,64}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database, services } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Honour a caller's X-Request-Id so their logs and ours share one id.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId('request');
    },
    ajv: { customOptions: { removeAdditional: false } },
    routerOptions: { ignoreTrailingSlash: true },
    // What Fastify and Node refuse before any route runs still answers from the problem catalogue.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (req, reply) => {
    reply.header('request-id', req.id);
  });
  app.addSchema(ProblemSchema);
  registerValidation(app);
  registerProblemHandlers(app);
  const openapi = openapiDocument();
  app.addHook('onRoute', openapi.collectSchemas);
  await app.register(swagger, openapi.options);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const { merchants, customers, catalog, events, webhooks, invoices, creditNotes, subscriptions, billing, testClocks } = services;

  await app.register(
    opsRoutes({
      readiness: async () => {
        // The job queue lives in the same database: reachable means pg-boss's schema is there.
        return database.db.execute(sql`select to_regclass('pgboss.job') is not null as jobs`).then(
          (r) => ({ database: true, job_queue: r.rows[0]?.jobs === true }),
          () => ({ database: false, job_queue: false }),
        );
      },
    }),
  );

  // Everything under /v1 needs an API key; hooks registered here apply to these routes only.
  await app.register(async (v1) => {
    registerAuth(v1, merchants);
    registerRateLimit(v1, config, database.pool);
    registerIdempotency(v1, { db: database.db, clock: services.clock, ttlHours: config.IDEMPOTENCY_TTL_HOURS });
    await v1.register(merchantRoutes({ merchants }));
    await v1.register(customerRoutes({ customers, churnRisk: services.churnRisk }));
    await v1.register(churnRiskRoutes({ churnRisk: services.churnRisk }));
    await v1.register(catalogRoutes({ catalog }));
    await v1.register(eventRoutes({ events }));
    await v1.register(webhookRoutes({ webhooks }));
    await v1.register(invoiceRoutes({ invoices }));
    await v1.register(creditNoteRoutes({ creditNotes }));
    await v1.register(peppolRoutes({ peppol: services.peppol, sending: services.peppolSender }));
    await v1.register(paymentRoutes({ payments: services.payments }));
    await v1.register(collectionRoutes({ collection: services.collection }));
    await v1.register(paymentFileRoutes({ paymentFiles: services.paymentFiles, bodyLimit: config.PAYMENT_FILE_LIMIT_BYTES ?? 20 * 1024 * 1024 }));
    await v1.register(messageRoutes({ messages: services.messages }));
    await v1.register(subscriptionRoutes({ subscriptions }));
    await v1.register(billingRoutes({ billing }));
    await v1.register(testClockRoutes({ testClocks }));
    await v1.register(templateRoutes({ templates: services.templates }));
    await v1.register(dunningPolicyRoutes({ policies: services.dunningPolicies }));
    await v1.register(dunningRoutes({ dunning: services.dunning }));
    await v1.register(analyticsRoutes({ analytics: services.analytics }));
    await v1.register(churnRoutes({ churn: services.churnAnalytics }));
    await v1.register(paymentPlanRoutes({ plans: services.paymentPlans }));
    await v1.register(experimentRoutes({ experiments: services.experiments }));
  });

  return app;
}
