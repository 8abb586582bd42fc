import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { PaymentPlanService } from './service.ts';
import { CreatePlanBody, InvoiceParams, ListPlansQuery, OfferBody, PaymentPlan, PaymentPlanOffer, PlanList, PlanParams, toOfferResource, toPlanResource } from './contract.ts';

const tags = ['Payment plans'];

export const paymentPlanRoutes =
  (deps: { plans: Pick<PaymentPlanService, 'create' | 'get' | 'list' | 'cancel' | 'offer'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { plans } = deps;

    app.post('/v1/payment-plans', {
      schema: {
        operationId: 'createPaymentPlan',
        summary: 'Create a payment plan',
        description:
          'Takes over open invoices of one customer (status in_payment_plan, their reminders paused) and issues the instalments, each an invoice of its own with a number, OCR reference and PDF. The amounts add up exactly to the invoices’ remainder plus late interest to today (when the merchant charges it) plus the fee; the first instalment takes the odd öre. A fee needs the merchant’s payment_plan_fee and the customer’s written agreement (fee_agreement), at most 170 kr. Invoices in collection, paid, voided, disputed, of another customer or in a running plan are refused (409 invoice_not_plannable naming each). Send an Idempotency-Key to retry safely.',
        tags,
        body: CreatePlanBody,
        response: { 201: PaymentPlan, ...problemResponses('validation_failed', 'not_found', 'invoice_not_plannable', 'invalid_state', 'seller_settings_incomplete', 'idempotency_key_reused') },
      },
      handler: async (req, reply) => {
        const view = await plans.create(req.caller, req.body);
        reply.code(201);
        return toPlanResource(view, req.principal.livemode);
      },
    });

    app.get('/v1/payment-plans', {
      schema: {
        operationId: 'listPaymentPlans',
        summary: 'List payment plans',
        description: 'Newest first; filter by customer or status.',
        tags,
        querystring: ListPlansQuery,
        response: { 200: PlanList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, customer, status } = req.query;
        const page = await plans.list(req.caller, { customerId: customer, status }, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map((v) => toPlanResource(v, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/payment-plans/:id', {
      schema: {
        operationId: 'getPaymentPlan',
        summary: 'Retrieve a payment plan',
        description: 'With the invoices it took over and each instalment: its invoice, amount, due date, what is left to pay and whether it is open, paid, missed or canceled.',
        tags,
        params: PlanParams,
        response: { 200: PaymentPlan, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toPlanResource(await plans.get(req.caller, req.params.id), req.principal.livemode),
    });

    app.post('/v1/payment-plans/:id/cancel', {
      schema: {
        operationId: 'cancelPaymentPlan',
        summary: 'Cancel a payment plan',
        description: 'Ends a running plan as a default would, without a missed instalment: what was paid settles the invoices, the rest goes back to them and their reminders go on from where they stopped; unpaid instalments are voided. Send an Idempotency-Key to retry safely.',
        tags,
        params: PlanParams,
        response: { 200: PaymentPlan, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req) => toPlanResource(await plans.cancel(req.caller, req.params.id), req.principal.livemode),
    });

    app.post('/v1/invoices/:id/payment-plan-offers', {
      schema: {
        operationId: 'offerPaymentPlan',
        summary: 'Offer a payment plan',
        description: 'What a plan over this invoice would look like (instalments, due dates, interest, fee, total) for the merchant’s app to show the customer. Nothing is created, locked or sent. The fee shown is the merchant’s payment_plan_fee unless `fee` is given; creating the plan with it needs the customer’s written agreement.',
        tags,
        params: InvoiceParams,
        body: OfferBody,
        response: { 200: PaymentPlanOffer, ...problemResponses('validation_failed', 'not_found', 'invoice_not_plannable', 'idempotency_key_reused') },
      },
      handler: async (req) => toOfferResource(await plans.offer(req.caller, req.params.id, req.body), req.principal.livemode),
    });
  };
