import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../http/schemas.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { PaymentFileService } from './file-import.ts';
import { ListPaymentFilesQuery, PAYMENT_FILE_MEDIA_TYPES, PaymentFile, PaymentFileBody, PaymentFileList, PaymentFileParams, toPaymentFileResource } from './file-contract.ts';

const tags = ['Payments'];

/**
 * Bank files arrive as the raw body. The media types are parsed to a Buffer in this plugin only
 * (everywhere else the API reads JSON alone), with a body limit of its own (PAYMENT_FILE_LIMIT_BYTES).
 */
export const paymentFileRoutes =
  (deps: { paymentFiles: PaymentFileService; bodyLimit: number }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { paymentFiles } = deps;
    app.addContentTypeParser([...PAYMENT_FILE_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit: deps.bodyLimit }, (_req, body, done) => done(null, body));

    app.post('/v1/payment-files', {
      bodyLimit: deps.bodyLimit,
      config: { mediaTypes: PAYMENT_FILE_MEDIA_TYPES },
      // The body is the file's bytes (a Buffer), not JSON: the parsers below are its validation.
      validatorCompiler: () => () => true,
      schema: {
        operationId: 'createPaymentFile',
        summary: 'Import a bank file',
        description:
          "Imports a bank file of incoming payments: BgMax (Bankgirot; every payee bankgiro must be the merchant's) or ISO 20022 camt.054 (.001.02, .001.08), sent as the raw body with its content type. The file is checked whole on upload: a malformed file, or one paid to another bankgiro, is refused with 422 payment_file_invalid naming the `line` (BgMax) or XML `path` (camt.054) and the `reason`, and nothing is stored. A good file answers 201 at once with status `processing`; an import job then records its payments (matched by OCR or RF reference, else amount and payer; the rest in the unmatched queue) and GET /v1/payment-files/{id} shows its progress. The same file uploaded again answers 200 with the existing payment file and records nothing; every transaction also carries its bank key, so a payment in two different files is recorded once. Deductions are counted and totalled, not recorded.",
        tags,
        consumes: [...PAYMENT_FILE_MEDIA_TYPES],
        body: PaymentFileBody,
        response: {
          201: { ...PaymentFile, description: 'The file is stored and its import job started' },
          200: { ...PaymentFile, description: 'The same file was uploaded before: that payment file, nothing recorded again' },
          ...problemResponses('payment_file_invalid', 'payload_too_large', 'unsupported_media_type', 'idempotency_key_reused'),
        },
      },
      handler: async (req, reply) => {
        const body = req.body as unknown;
        if (body !== undefined && !Buffer.isBuffer(body)) {
          throw new DomainError('unsupported_media_type', `Send the bank file as the raw body, as ${PAYMENT_FILE_MEDIA_TYPES.join(', ')}`);
        }
        const { file, created } = await paymentFiles.upload(req.caller, { content: (body as Buffer | undefined) ?? Buffer.alloc(0), contentType: req.headers['content-type'] });
        reply.code(created ? 201 : 200);
        return toPaymentFileResource(file, req.principal.livemode);
      },
    });

    app.get('/v1/payment-files/:id', {
      schema: {
        operationId: 'getPaymentFile',
        summary: 'Retrieve a payment file',
        description: 'Status (processing, completed, failed), progress, counts (payments, matched, unmatched, duplicates, deductions) and totals, as read from the file and as recorded.',
        tags,
        params: PaymentFileParams,
        response: { 200: PaymentFile, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toPaymentFileResource(await paymentFiles.get(req.caller, req.params.id), req.principal.livemode),
    });

    app.get('/v1/payment-files', {
      schema: {
        operationId: 'listPaymentFiles',
        summary: 'List payment files',
        description: 'Imported bank files, newest first.',
        tags,
        querystring: ListPaymentFilesQuery,
        response: { 200: PaymentFileList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const q = req.query;
        const p = await paymentFiles.list(req.caller, { limit: q.limit ?? 10, startingAfter: q.starting_after, endingBefore: q.ending_before });
        return { object: 'list' as const, data: p.data.map((r) => toPaymentFileResource(r, req.principal.livemode)), has_more: p.hasMore };
      },
    });
  };
