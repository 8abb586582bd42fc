import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CreditNoteService } from './credit-notes.ts';
import { CreateCreditNoteBody, CreditNote, CreditNoteList, CreditNoteParams, ListCreditNotesQuery, toCreditNoteResource } from './contract.ts';
import { problemResponses } from '../../http/schemas.ts';
import { documentRoutes } from './document-routes.ts';

const tags = ['Invoices'];

export const creditNoteRoutes =
  (deps: { creditNotes: CreditNoteService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { creditNotes } = deps;

    app.post('/v1/credit-notes', {
      schema: {
        operationId: 'createCreditNote',
        summary: 'Credit an invoice in full or in part',
        description:
          'Without lines the whole invoice is credited; with lines, the given quantities of its lines. The credit note gets its own gap-free number and reduces the invoice’s amount_remaining (an open invoice credited to nothing is settled). Send an Idempotency-Key to retry safely.',
        tags,
        body: CreateCreditNoteBody,
        response: { 201: CreditNote, ...problemResponses('validation_failed', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req, reply) => {
        const row = await creditNotes.create(req.caller, req.body);
        reply.code(201);
        return toCreditNoteResource(row, req.principal.livemode);
      },
    });

    app.get('/v1/credit-notes', {
      schema: {
        operationId: 'listCreditNotes',
        summary: 'List credit notes',
        description: 'Newest first; `invoice` lists the credit notes of one invoice.',
        tags,
        querystring: ListCreditNotesQuery,
        response: { 200: CreditNoteList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { limit, starting_after, ending_before, invoice } = req.query;
        const page = await creditNotes.list(req.caller, { invoiceId: invoice }, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: page.data.map((c) => toCreditNoteResource(c, req.principal.livemode)), has_more: page.hasMore };
      },
    });

    app.get('/v1/credit-notes/:id', {
      schema: { operationId: 'getCreditNote', summary: 'Retrieve a credit note', description: 'With its lines, VAT per rate and the amount it takes off its invoice.', tags, params: CreditNoteParams, response: { 200: CreditNote, ...problemResponses('validation_failed', 'not_found') } },
      handler: async (req) => toCreditNoteResource(await creditNotes.get(req.caller, req.params.id), req.principal.livemode),
    });

    documentRoutes(app, { path: '/v1/credit-notes/:id', name: 'CreditNote', what: 'credit note', tags, params: CreditNoteParams, load: creditNotes.document });
  };
