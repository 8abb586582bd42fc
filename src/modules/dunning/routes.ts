import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { DunningService } from './service.ts';
import { DisputeBody, DunningCase, EscalationBody, InvoiceParams, PreviewQuery, ReminderPreview, toCaseResource } from './contract.ts';

const tags = ['Dunning'];

export const dunningRoutes =
  (deps: { dunning: Pick<DunningService, 'caseOf' | 'dispute' | 'resolveDispute' | 'setEscalation' | 'preview'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { dunning } = deps;

    app.get('/v1/invoices/:id/dunning', {
      schema: {
        operationId: 'getInvoiceDunning',
        summary: 'Retrieve an invoice’s reminder process',
        description: 'Its policy, the next step and when, the fee charged, interest to date, escalation holds, a dispute, and every reminder sent about it.',
        tags,
        params: InvoiceParams,
        response: { 200: DunningCase, ...problemResponses('validation_failed', 'not_found', 'invalid_state') },
      },
      handler: async (req) => toCaseResource(await dunning.caseOf(req.caller, req.params.id), req.principal.livemode),
    });

    app.post('/v1/invoices/:id/dispute', {
      schema: {
        operationId: 'disputeInvoice',
        summary: 'Dispute an invoice',
        description: 'Pauses its reminders and escalation until the dispute is resolved (POST /v1/invoices/{id}/dispute/resolve). Disputing again keeps the first date. Send an Idempotency-Key to retry safely.',
        tags,
        params: InvoiceParams,
        body: DisputeBody,
        response: { 200: DunningCase, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req) => toCaseResource(await dunning.dispute(req.caller, req.params.id, req.body?.reason), req.principal.livemode),
    });

    app.post('/v1/invoices/:id/dispute/resolve', {
      schema: {
        operationId: 'resolveInvoiceDispute',
        summary: 'Resolve an invoice’s dispute',
        description: 'The reminders go on from the step they stopped at (the next one no sooner than the minimum gap allows). To drop the claim instead, credit or void the invoice. Send an Idempotency-Key to retry safely.',
        tags,
        params: InvoiceParams,
        response: { 200: DunningCase, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req) => toCaseResource(await dunning.resolveDispute(req.caller, req.params.id), req.principal.livemode),
    });

    app.post('/v1/invoices/:id/escalation', {
      schema: {
        operationId: 'setInvoiceEscalation',
        summary: 'Stop or postpone an invoice’s escalation',
        description: 'Holds the hand-off to the collection agency for this invoice (a customer’s `dunning.escalation_stopped` holds all of theirs); reminders still go out. Send an Idempotency-Key to retry safely.',
        tags,
        params: InvoiceParams,
        body: EscalationBody,
        response: { 200: DunningCase, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req) => toCaseResource(await dunning.setEscalation(req.caller, req.params.id, req.body), req.principal.livemode),
    });

    app.get('/v1/invoices/:id/reminders/preview', {
      schema: {
        operationId: 'previewInvoiceReminder',
        summary: 'Preview a reminder',
        description: 'Renders a step of the invoice’s policy (`step`, default the next) as it would go out now, with the fee and interest it would show. Nothing is sent or recorded.',
        tags,
        params: InvoiceParams,
        querystring: PreviewQuery,
        response: { 200: ReminderPreview, ...problemResponses('validation_failed', 'not_found', 'invalid_state') },
      },
      handler: async (req) => {
        const p = await dunning.preview(req.caller, req.params.id, req.query.step);
        return { object: 'reminder_preview' as const, step: p.step, subject: p.subject, text: p.text, html: p.html, reminder_fee: p.fee, interest: p.interest, to: p.to, delivery: p.delivery };
      },
    });
  };
