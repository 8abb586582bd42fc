import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { patchWithPostAlias } from '../../http/update-route.ts';
import type { CustomerService } from './service.ts';
import {
  CreateCustomerBody,
  Customer,
  CustomerList,
  CustomerParams,
  ListCustomersQuery,
  UpdateCustomerBody,
  toCustomerResource,
} from './contract.ts';
import { problemResponses } from '../../http/schemas.ts';
import { ChoiceChangeList, ChoiceHistoryQuery, DeliveryInput, PaymentMethodInput, toChoiceChangeResource } from './choices-contract.ts';
import { cardNumberFields } from '../../domain/card-number.ts';
import { invalid } from '../../kernel/errors.ts';
import type { FastifyRequest } from 'fastify';
import type { ChurnRiskService } from '../churn-risk/service.ts';

/**
 * Card numbers never enter: before the body is validated, stored, fingerprinted or answered, any
 * string of a payment method that passes Luhn as a 13–19 digit card number is refused, naming the
 * field and never echoing the value (problems, logs and stored responses never see it).
 */
const refuseCardNumbers = (pick: (body: Record<string, unknown>) => unknown, prefix: string) => async (req: FastifyRequest) => {
  const body = req.body;
  if (!body || typeof body !== 'object') return;
  const fields = cardNumberFields(pick(body as Record<string, unknown>), prefix);
  if (fields.length > 0) {
    throw invalid(
      fields.map((field) => ({
        field,
        location: 'body' as const,
        message: "looks like a card number, which Omtanke never accepts: send your card processor's token with the brand and last four digits",
      })),
    );
  }
};

const tags = ['Customers'];

export const customerRoutes =
  (deps: { customers: CustomerService; churnRisk: Pick<ChurnRiskService, 'listByLevel'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { customers } = deps;

    app.post('/v1/customers', {
      preValidation: refuseCardNumbers((b) => b.payment_method, 'payment_method'),
      schema: {
        operationId: 'createCustomer',
        summary: 'Create a customer',
        description:
          'Validates Swedish identity numbers with their check digit. `payment_method` and `delivery` set the first choices (checked as by their own routes, and the first rows of the choice history); left out, the defaults apply. Send an Idempotency-Key to retry safely.',
        tags,
        body: CreateCustomerBody,
        response: { 201: Customer, ...problemResponses('validation_failed', 'external_id_taken', 'customer_exists', 'idempotency_key_reused', 'payload_too_large', 'unsupported_media_type') },
      },
      handler: async (req, reply) => {
        const row = await customers.create(req.caller, req.body);
        reply.code(201);
        return toCustomerResource(row, req.principal.livemode);
      },
    });

    app.get('/v1/customers', {
      schema: {
        operationId: 'listCustomers',
        summary: 'List customers',
        description: 'Newest first; with `churn_risk`, that level’s customers by churn risk score, highest first. Page with `starting_after` set to the last id of the previous page.',
        tags,
        querystring: ListCustomersQuery,
        response: { 200: CustomerList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, email, external_id, archived, churn_risk } = req.query;
        if (churn_risk !== undefined) {
          const other = Object.entries({ ending_before, email, external_id, archived }).find(([, v]) => v !== undefined);
          if (other) throw invalid([{ field: other[0], location: 'query', message: 'cannot be combined with churn_risk' }]);
          const ranked = await deps.churnRisk.listByLevel(req.caller, churn_risk, limit ?? 10, starting_after);
          const rows = await Promise.all(ranked.ids.map((id) => customers.get(req.caller, id)));
          return { object: 'list' as const, data: rows.map((c) => toCustomerResource(c, req.principal.livemode)), has_more: ranked.hasMore };
        }
        const page = await customers.list(
          req.caller,
          { email, externalId: external_id, archived },
          { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before },
        );
        return { object: 'list' as const, data: page.data.map((c) => toCustomerResource(c, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/customers/:id', {
      schema: {
        operationId: 'getCustomer',
        summary: 'Retrieve a customer',
        description: 'Archived customers are found too (`archived: true`). National ids are masked: only the last four digits are shown.',
        tags,
        params: CustomerParams,
        response: { 200: Customer, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toCustomerResource(await customers.get(req.caller, req.params.id), req.principal.livemode),
    });

    const update = {
      schema: {
        summary: 'Update a customer',
        description: 'Only the fields sent change; `null` clears an optional field; metadata is merged (a key set to null is removed).',
        tags,
        params: CustomerParams,
        body: UpdateCustomerBody,
        response: { 200: Customer, ...problemResponses('validation_failed', 'not_found', 'external_id_taken', 'idempotency_key_reused') },
      },
    };
    patchWithPostAlias('updateCustomer', update.schema, (method, schema) =>
      app.route({
        method,
        url: '/v1/customers/:id',
        schema,
        handler: async (req) => toCustomerResource(await customers.update(req.caller, req.params.id, req.body ?? {}), req.principal.livemode),
      }),
    );

    const archive = {
      summary: 'Archive a customer',
      description: 'Nothing is deleted: the customer, their history and choices stay, hidden from the default list, and can be restored.',
      tags,
      params: CustomerParams,
      response: { 200: Customer, ...problemResponses('validation_failed', 'not_found') },
    };
    app.post('/v1/customers/:id/archive', {
      schema: { ...archive, operationId: 'archiveCustomer' },
      handler: async (req) => toCustomerResource(await customers.archive(req.caller, req.params.id), req.principal.livemode),
    });
    app.delete('/v1/customers/:id', {
      schema: { ...archive, operationId: 'deleteCustomer', summary: 'Archive a customer (DELETE never hard-deletes)' },
      handler: async (req) => toCustomerResource(await customers.archive(req.caller, req.params.id), req.principal.livemode),
    });
    app.post('/v1/customers/:id/unarchive', {
      schema: {
        ...archive,
        operationId: 'unarchiveCustomer',
        summary: 'Restore an archived customer',
        description:
          'Welcome back: a returning customer comes back with their earlier details and choices in force (nothing asked again); the customer shows `returning: true`, `returned_at`, `first_subscribed_at` and `earlier_tenure`, and `customer.returned` fires.',
      },
      handler: async (req) => toCustomerResource(await customers.unarchive(req.caller, req.params.id), req.principal.livemode),
    });

    app.post('/v1/customers/:id/payment-method', {
      preValidation: refuseCardNumbers((b) => b, ''),
      schema: {
        operationId: 'setCustomerPaymentMethod',
        summary: "Change a customer's payment method",
        description:
          'Sets how the customer pays: `card` (your processor’s token, brand and last four; a card number is refused with 400 and never stored or logged), `swish` (a Swedish mobile number), `bankgiro`, `autogiro` (payer number, clearing and account number checked by the bank’s rules; mandate status) or `e_invoice`. The change is kept in the history with when (business time), who (`initiator`) and why (`reason`), and `payment_method.changed` fires. Invoices finalised from now on carry the new method; earlier ones keep theirs. Choosing the current method again changes nothing.',
        tags,
        params: CustomerParams,
        body: PaymentMethodInput,
        response: { 200: Customer, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req) => toCustomerResource(await customers.changePaymentMethod(req.caller, req.params.id, req.body), req.principal.livemode),
    });

    app.post('/v1/customers/:id/delivery', {
      schema: {
        operationId: 'setCustomerDelivery',
        summary: "Change how a customer's invoices are delivered",
        description:
          'Sets how invoices reach the customer: `email_pdf` or `email_html` (the customer needs an email), `kivra` (needs a national_id), `peppol` (companies; the participant id `0007:` + organisationsnummer, checked, or derived from the customer’s) or `paper` (needs a postal address). Kept in the history; `delivery.changed` fires. Choosing the current delivery again changes nothing.',
        tags,
        params: CustomerParams,
        body: DeliveryInput,
        response: { 200: Customer, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req) => toCustomerResource(await customers.changeDelivery(req.caller, req.params.id, req.body), req.principal.livemode),
    });

    app.get('/v1/customers/:id/choices/history', {
      schema: {
        operationId: 'listCustomerChoiceHistory',
        summary: "List the changes of a customer's choices",
        description:
          'Every change of the payment method and delivery, newest first: when (business time, so a test clock’s time), from what, to what, who and why. Nothing is ever overwritten. Page with `starting_after`.',
        tags,
        params: CustomerParams,
        querystring: ChoiceHistoryQuery,
        response: { 200: ChoiceChangeList, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, kind } = req.query;
        const page = await customers.choiceHistory(req.caller, req.params.id, kind, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map((c) => toChoiceChangeResource(c, req.principal.livemode)), has_more: page.hasMore };
      },
    });
  };
