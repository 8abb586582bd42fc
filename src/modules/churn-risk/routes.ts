import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { ChurnRiskService } from './service.ts';
import { ChurnRisk, ChurnRiskParams, toChurnRiskResource } from './contract.ts';

export const churnRiskRoutes =
  (deps: { churnRisk: Pick<ChurnRiskService, 'get'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/v1/customers/:id/churn-risk', {
      schema: {
        operationId: 'getCustomerChurnRisk',
        summary: "Retrieve a customer's churn risk",
        description:
          'The score 0–100, its level (low below 30, medium from 30, high from 60), the reasons with their contributions (largest first) and a suggested action. Kept current in the background (when a signal changes, and daily); computed now when the customer has none yet. The weights are the merchant’s `churn_risk_weights`.',
        tags: ['Customers'],
        params: ChurnRiskParams,
        response: { 200: ChurnRisk, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toChurnRiskResource(await deps.churnRisk.get(req.caller, req.params.id)),
    });
  };
