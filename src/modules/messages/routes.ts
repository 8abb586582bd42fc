import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { MessageService } from './service.ts';
import { ListMessagesQuery, Message, MessageList, MessageParams, toMessageResource } from './contract.ts';

const tags = ['Messages'];

export const messageRoutes =
  (deps: { messages: Pick<MessageService, 'get' | 'list' | 'eml'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { messages } = deps;

    app.get('/v1/messages', {
      schema: {
        operationId: 'listMessages',
        summary: 'List messages',
        description:
          'Newest first. Every message sent to your customers (payment reminders), kept whole: subject, text and HTML, the channel, the recipient and what became of it. Filter by `customer`, by `invoice` (the messages that covered it) or by `status` (`bounced`, `failed`: the ones that did not reach anyone by e-mail).',
        tags,
        querystring: ListMessagesQuery,
        response: { 200: MessageList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { customer, invoice, status, limit, starting_after, ending_before } = req.query;
        const p = await messages.list(req.caller, { customerId: customer, invoiceId: invoice, status }, { limit: limit ?? 10, startingAfter: starting_after, endingBefore: ending_before });
        return { object: 'list' as const, data: p.data.map((m) => toMessageResource(m, m.invoices, req.principal.livemode)), has_more: p.hasMore };
      },
    });

    app.get('/v1/messages/:id', {
      schema: {
        operationId: 'getMessage',
        summary: 'Retrieve a message',
        description: 'One message whole: subject, text and HTML bodies, the channel and recipient, the invoices and step it is about, the amounts it asks for, its status, its Message-ID header and the message it replaces, if it is a fallback.',
        tags,
        params: MessageParams,
        response: { 200: Message, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => {
        const m = await messages.get(req.caller, req.params.id);
        return toMessageResource(m, m.invoices, req.principal.livemode);
      },
    });

    app.get('/v1/messages/:id/eml', {
      schema: {
        operationId: 'getMessageEml',
        summary: 'The message as an e-mail (.eml)',
        description: 'The raw RFC 5322 message as it was sent (or, without an SMTP server, stored): headers including Message-ID, the text and HTML parts, and the invoice PDFs when attached. Opens in any mail program.',
        tags,
        params: MessageParams,
        produces: ['message/rfc822'],
        response: {
          200: {
            description: 'The e-mail',
            content: {
              'message/rfc822': {
                schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
                example:
                  'From: =?UTF-8?Q?Fj=C3=A4llr=C3=A4ven_=C3=85keri_AB?= <no-reply@localhost>\r\nTo: asa@example.se\r\nSubject: =?UTF-8?Q?P=C3=A5minnelse:_faktura_F-1001?=\r\nMessage-ID: <msg_01KB2Y5M8Q0ZC3V1S7N4D6F9XA@omtanke.invalid>\r\nMIME-Version: 1.0\r\n…',
              },
            },
          },
          ...problemResponses('validation_failed', 'not_found'),
        },
      },
      handler: async (req, reply) => {
        const eml = await messages.eml(req.caller, req.params.id);
        reply.type('message/rfc822');
        reply.header('content-disposition', `inline; filename="${req.params.id}.eml"`);
        return eml;
      },
    });
  };
