// GET …/ubl: an invoice or credit note as a Peppol BIS Billing 3.0 e-invoice (UBL 2.1 XML),
// checked against the schema and the Peppol rules before it is served.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problemResponses } from '../../http/schemas.ts';
import { CreditNoteParams, InvoiceParams } from '../invoices/contract.ts';
import type { PeppolService } from './service.ts';
import type { PeppolSender } from './sending.ts';
import { PeppolDelivery, toPeppolDeliveryResource } from './contract.ts';

const xmlResponse = (what: string) => ({ description: `The ${what} as UBL 2.1 XML (Peppol BIS Billing 3.0)`, content: { 'application/xml': { schema: Type.String() } } });

export const peppolRoutes =
  (deps: { peppol: PeppolService; sending: Pick<PeppolSender, 'delivery'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { peppol, sending } = deps;

    app.get('/v1/invoices/:id/peppol-delivery', {
      schema: {
        operationId: 'getInvoicePeppolDelivery',
        summary: 'The invoice’s delivery over Peppol',
        description:
          'Where the e-invoice stands: queued, sending, awaiting the receiver, delivered (invoice.sent) or failed (invoice.delivery_failed, with the reason: a rejection, or the setting to fix). 404 when the invoice’s customer did not choose peppol delivery.',
        tags: ['Invoices'],
        params: InvoiceParams,
        response: { 200: PeppolDelivery, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toPeppolDeliveryResource(await sending.delivery(req.caller, req.params.id)),
    });

    app.get('/v1/invoices/:id/ubl', {
      schema: {
        operationId: 'getInvoiceUbl',
        summary: 'The invoice as a Peppol e-invoice (UBL)',
        description:
          'A UBL 2.1 Invoice following Peppol BIS Billing 3.0: seller by organisationsnummer (0007), VAT number, F-skatt, bankgiro with the OCR reference, VAT per category and rate, öresavrundning, the period, the buyer’s Peppol address and reference. Checked against the UBL schema and the Peppol rules before it is served. Only finalised invoices of companies: a draft is 409 `invalid_state`, a consumer 409 `peppol_not_applicable`, a missing or malformed merchant or customer setting 409 `peppol_settings_invalid` naming it.',
        tags: ['Invoices'],
        params: InvoiceParams,
        produces: ['application/xml'],
        response: { 200: xmlResponse('invoice'), ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'peppol_not_applicable', 'peppol_settings_invalid', 'peppol_document_invalid', 'service_unavailable') },
      },
      handler: async (req, reply) => {
        const { number, xml } = await peppol.invoiceUbl(req.caller, req.params.id);
        reply.type('application/xml; charset=utf-8');
        reply.header('content-disposition', `inline; filename="${number.replace(/[^\w.-]/g, '_')}.xml"`);
        return xml;
      },
    });

    app.get('/v1/credit-notes/:id/ubl', {
      schema: {
        operationId: 'getCreditNoteUbl',
        summary: 'The credit note as a Peppol e-invoice (UBL)',
        description:
          'A UBL 2.1 CreditNote following Peppol BIS Billing 3.0, referring to the invoice it credits (BillingReference). Checked like an invoice’s before it is served; a consumer’s is 409 `peppol_not_applicable`, a missing or malformed setting 409 `peppol_settings_invalid`.',
        tags: ['Invoices'],
        params: CreditNoteParams,
        produces: ['application/xml'],
        response: { 200: xmlResponse('credit note'), ...problemResponses('validation_failed', 'not_found', 'peppol_not_applicable', 'peppol_settings_invalid', 'peppol_document_invalid', 'service_unavailable') },
      },
      handler: async (req, reply) => {
        const { number, xml } = await peppol.creditNoteUbl(req.caller, req.params.id);
        reply.type('application/xml; charset=utf-8');
        reply.header('content-disposition', `inline; filename="${number.replace(/[^\w.-]/g, '_')}.xml"`);
        return xml;
      },
    });
  };
