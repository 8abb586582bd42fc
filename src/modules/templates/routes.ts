import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Deleted, WRITE_PROBLEMS, problemResponses } from '../../http/schemas.ts';
import type { TemplateService } from './service.ts';
import { ListTemplatesQuery, PreviewTemplateBody, SaveTemplateBody, Template, TemplateList, TemplateParams, TemplatePreview, toTemplateResource } from './contract.ts';

const tags = ['Templates'];

export const templateRoutes =
  (deps: { templates: TemplateService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { templates } = deps;

    app.get('/v1/templates', {
      schema: {
        operationId: 'listTemplates',
        summary: 'List reminder templates',
        description:
          'Every template, locale and tone (24 in all) with the one in force: your override (`source: merchant`, with its id) or the built-in default (`source: default`, id null). The list is complete, never paged; filter with the query.',
        tags,
        querystring: ListTemplatesQuery,
        response: { 200: TemplateList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const data = await templates.list(req.caller, req.query);
        return { object: 'list' as const, data: data.map(toTemplateResource), has_more: false };
      },
    });

    app.post('/v1/templates', {
      schema: {
        operationId: 'saveTemplate',
        summary: 'Create or replace a template override',
        description:
          'Your own wording for one template, locale and tone, used instead of the default from the next message on. Saving again for the same three replaces it (same id, 200; 201 when created). Each part is checked first: a syntax error, a variable or helper a reminder does not have, or {{{…}}} in HTML is a 422 `template_invalid` naming the part, and nothing is saved. Preview first with POST /v1/templates/preview.',
        tags,
        body: SaveTemplateBody,
        response: { 200: Template, 201: Template, ...problemResponses(...WRITE_PROBLEMS, 'template_invalid') },
      },
      handler: async (req, reply) => {
        const { template, created } = await templates.save(req.caller, req.body);
        reply.code(created ? 201 : 200);
        return toTemplateResource(template);
      },
    });

    app.post('/v1/templates/preview', {
      schema: {
        operationId: 'previewTemplate',
        summary: 'Preview a template',
        description:
          'Renders a template with a sample customer (Anna Andersson) and invoice, and your own name, contact and payment details where you have set them. Parts you send are checked as on save (422 `template_invalid`); parts you leave out come from the template in force. Nothing is saved.',
        tags,
        body: PreviewTemplateBody,
        response: { 200: TemplatePreview, ...problemResponses(...WRITE_PROBLEMS, 'template_invalid') },
      },
      handler: async (req) => ({ object: 'template_preview' as const, ...(await templates.preview(req.caller, req.body)) }),
    });

    app.get('/v1/templates/:id', {
      schema: {
        operationId: 'getTemplate',
        summary: 'Retrieve a template override',
        description: 'One of your overrides by id (defaults have no id: list them with GET /v1/templates).',
        tags,
        params: TemplateParams,
        response: { 200: Template, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toTemplateResource(await templates.get(req.caller, req.params.id)),
    });

    app.delete('/v1/templates/:id', {
      schema: {
        operationId: 'deleteTemplate',
        summary: 'Delete a template override',
        description: 'The built-in default applies again from the next message on.',
        tags,
        params: TemplateParams,
        response: { 200: Deleted('template', 'template'), ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => ({ ...(await templates.remove(req.caller, req.params.id)), object: 'template' as const, deleted: true as const }),
    });
  };
