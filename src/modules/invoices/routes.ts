import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { patchWithPostAlias } from '../../http/update-route.ts';
import { Type } from 'typebox';
import type { InvoiceService, Invoice as InvoiceModel } from './service.ts';
import {
  CreateInvoiceBody,
  Invoice,
  InvoiceList,
  InvoiceParams,
  ListInvoicesQuery,
  PayInvoiceBody,
  UpdateInvoiceBody,
  toInvoiceResource,
} from './contract.ts';
import { Deleted, problemResponses } from '../../http/schemas.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { documentRoutes } from './document-routes.ts';

const tags = ['Invoices'];

export const invoiceRoutes =
  (deps: { invoices: InvoiceService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { invoices } = deps;
    const show = (inv: InvoiceModel, livemode: boolean) => toInvoiceResource(inv, inv.lines, livemode);

    app.post('/v1/invoices', {
      schema: {
        operationId: 'createInvoice',
        summary: 'Create a one-off invoice',
        description:
          'Creates a draft with lines (from prices, or description + unit_amount + vat_rate). Finalise it to number it, or send `auto_finalize: true`. Send an Idempotency-Key to retry safely.',
        tags,
        body: CreateInvoiceBody,
        response: { 201: Invoice, ...problemResponses('validation_failed', 'invalid_state', 'seller_settings_incomplete', 'idempotency_key_reused') },
      },
      handler: async (req, reply) => {
        const inv = await invoices.createDraft(req.caller, req.body);
        reply.code(201);
        return show(inv, req.principal.livemode);
      },
    });

    app.get('/v1/invoices', {
      schema: {
        operationId: 'listInvoices',
        summary: 'List invoices',
        description: 'Newest first; filter by customer, subscription or status.',
        tags,
        querystring: ListInvoicesQuery,
        response: { 200: InvoiceList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, customer, subscription, status } = req.query;
        const page = await invoices.list(
          req.caller,
          { customerId: customer, subscriptionId: subscription, status },
          { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before },
        );
        return { object: 'list' as const, data: page.data.map((i) => show(i, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/invoices/:id', {
      schema: { operationId: 'getInvoice', summary: 'Retrieve an invoice', description: 'With its lines, VAT per rate, amounts due, paid, credited and remaining, and the seller and buyer as they were when it was finalised.', tags, params: InvoiceParams, response: { 200: Invoice, ...problemResponses('validation_failed', 'not_found') } },
      handler: async (req) => show(await invoices.get(req.caller, req.params.id), req.principal.livemode),
    });

    const update = {
      summary: 'Update a draft invoice',
      description: 'Lines (replaced as a whole), memo and payment terms change only on drafts; metadata (merged) on any invoice.',
      tags,
      params: InvoiceParams,
      body: UpdateInvoiceBody,
      response: { 200: Invoice, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
    };
    patchWithPostAlias('updateInvoice', update, (method, schema) =>
      app.route({
        method,
        url: '/v1/invoices/:id',
        schema,
        handler: async (req) => show(await invoices.update(req.caller, req.params.id, req.body ?? {}), req.principal.livemode),
      }),
    );

    app.delete('/v1/invoices/:id', {
      schema: {
        operationId: 'deleteInvoice',
        summary: 'Delete a draft invoice',
        description: 'Only drafts; a finalised invoice keeps its number for ever and is voided instead.',
        tags,
        params: InvoiceParams,
        response: {
          200: Deleted('invoice', 'invoice'),
          ...problemResponses('validation_failed', 'not_found', 'invalid_state'),
        },
      },
      handler: async (req) => {
        const inv = await invoices.deleteDraft(req.caller, req.params.id);
        return { id: inv.id, object: 'invoice' as const, deleted: true as const };
      },
    });

    const action = (path: string, operationId: string, summary: string, description: string, run: (principal: Tenant, id: string, body: { amount?: number }) => Promise<InvoiceModel>) =>
      app.post(`/v1/invoices/:id/${path}`, {
        schema: {
          operationId,
          summary,
          description,
          tags,
          params: InvoiceParams,
          ...(path === 'pay' ? { body: PayInvoiceBody } : {}),
          response: { 200: Invoice, ...problemResponses('validation_failed', 'not_found', 'invalid_state', ...(path === 'finalize' ? (['seller_settings_incomplete'] as const) : []), 'idempotency_key_reused') },
        },
        handler: async (req) => show(await run(req.caller, (req.params as { id: string }).id, (req.body ?? {}) as { amount?: number }), req.principal.livemode),
      });

    action(
      'finalize',
      'finalizeInvoice',
      'Finalise a draft invoice',
      'Allocates the next number of the merchant’s series (no gaps: in the same transaction), the OCR reference, the issue date (today in the merchant’s time zone) and the due date (payment terms later, moved to the next Swedish bank day), and freezes seller and buyer details. A zero invoice is paid at once.',
      (p, id) => invoices.finalize(p, id),
    );
    action('pay', 'payInvoice', 'Record a payment made outside Omtanke', 'Part of the amount remaining makes the invoice partially_paid; all of it, paid.', (p, id, body) =>
      invoices.pay(p, id, body.amount),
    );
    action('void', 'voidInvoice', 'Void an invoice', 'For an open invoice without payments: it keeps its number and asks for nothing. Otherwise issue a credit note.', (p, id) =>
      invoices.void(p, id),
    );
    action('mark-uncollectible', 'markInvoiceUncollectible', 'Mark an invoice uncollectible', 'Writes the claim off; it can still be paid later.', (p, id) =>
      invoices.markUncollectible(p, id),
    );

    documentRoutes(app, { path: '/v1/invoices/:id', name: 'Invoice', what: 'invoice', tags, params: InvoiceParams, load: invoices.document });
  };
