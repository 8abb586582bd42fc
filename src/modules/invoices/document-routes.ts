// GET …/html and …/pdf for a document (an invoice or a credit note): the same two routes, one renderer.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TObject } from 'typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import type { InvoiceDocument } from './document.ts';
import { renderInvoiceHtml } from './render/html.ts';
import { renderInvoicePdf } from './render/pdf.ts';

type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

export function documentRoutes(
  app: App,
  o: { path: string; name: string; what: string; tags: string[]; params: TObject; load: (tenant: Tenant, id: string) => Promise<InvoiceDocument> },
): void {
  app.get(`${o.path}/html`, {
    schema: {
      operationId: `get${o.name}Html`,
      summary: `The ${o.what} as an HTML page`,
      description: "In the customer's language (sv or en), readable on a phone; an invoice shows its payment details (bankgiro, OCR, Swish QR) first.",
      tags: o.tags,
      params: o.params,
      produces: ['text/html'],
      response: { 200: { description: 'HTML document', content: { 'text/html': { schema: Type.String() } } }, ...problemResponses('validation_failed', 'not_found') },
    },
    handler: async (req, reply) => {
      const doc = await o.load(req.caller, (req.params as { id: string }).id);
      reply.type('text/html; charset=utf-8');
      return renderInvoiceHtml(doc);
    },
  });

  app.get(`${o.path}/pdf`, {
    schema: {
      operationId: `get${o.name}Pdf`,
      summary: `The ${o.what} as a PDF`,
      description: 'A4, fonts embedded (å, ä, ö).',
      tags: o.tags,
      params: o.params,
      produces: ['application/pdf'],
      response: {
        200: { description: 'PDF document', content: { 'application/pdf': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
        ...problemResponses('validation_failed', 'not_found'),
      },
    },
    handler: async (req, reply) => {
      const doc = await o.load(req.caller, (req.params as { id: string }).id);
      reply.type('application/pdf');
      reply.header('content-disposition', `inline; filename="${doc.number ?? doc.id}.pdf"`);
      return renderInvoicePdf(doc);
    },
  });
}
