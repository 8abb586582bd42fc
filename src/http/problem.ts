// RFC 9457 problem details: one closed catalogue of problem types, one error handler. A problem's
// `type` is stable and documented; 5xx details never leave the server.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { DomainError, PROBLEMS, type FieldError, type ProblemCode } from '../kernel/errors.ts';

export const PROBLEM_BASE = 'https://docs.omtanke.se/problems/';

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', examples: [`${PROBLEM_BASE}validation_failed`] }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'The last segment of `type`, convenient for switch statements' }),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ examples: ['address.postal_code'] }),
          location: Type.Union([Type.Literal('body'), Type.Literal('query'), Type.Literal('path'), Type.Literal('header')]),
          message: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);
export type Problem = Static<typeof ProblemSchema>;

export function problemBody(code: ProblemCode, detail: string, req?: FastifyRequest, errors?: FieldError[]): Problem {
  const p = PROBLEMS[code];
  const body: Problem = { type: PROBLEM_BASE + code, title: p.title, status: p.status, detail, code };
  if (req) {
    body.instance = req.url.split('?')[0];
    body.request_id = String(req.id);
  }
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

export function sendProblem(reply: FastifyReply, code: ProblemCode, detail: string, errors?: FieldError[]) {
  return reply
    .code(PROBLEMS[code].status)
    .type('application/problem+json')
    .send(problemBody(code, detail, reply.request, errors));
}

const LOCATIONS: Record<string, FieldError['location']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

type AjvError = { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> };

/** Turns Ajv's errors into one entry per field, with messages written for people. */
export function fieldErrors(validation: AjvError[], context: string | undefined): FieldError[] {
  const location = LOCATIONS[context ?? 'body'] ?? 'body';
  const seen = new Set<string>();
  const out: FieldError[] = [];
  // A nullable field that fails reports its real problem plus "must be null" and an anyOf summary;
  // keep only the real problem when there is one.
  const real = validation.filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null'));
  const paths = real.map((e) => e.instancePath);
  const relevant = validation.filter(
    (e) => real.includes(e) || !paths.some((p) => p === e.instancePath || p.startsWith(`${e.instancePath}/`)),
  );
  for (const e of relevant) {
    const base = e.instancePath.split('/').filter(Boolean).join('.');
    let field = base;
    let message = e.message ?? 'is not valid';
    if (e.keyword === 'required') {
      field = [base, e.params.missingProperty].filter(Boolean).join('.');
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field = [base, e.params.additionalProperty].filter(Boolean).join('.');
      message = 'is not a known field';
    } else if (e.keyword === 'pattern' && location === 'path') {
      message = 'is not a valid id for this resource';
    } else if (e.keyword === 'type') {
      message = `must be ${String(e.params.type).replace(',', ' or ')}`;
    } else if (e.keyword === 'anyOf') {
      message = 'is not valid';
    }
    const k = `${field}|${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ field: field || '(body)', location, message });
  }
  return out;
}

export function registerProblemHandlers(app: FastifyInstance) {
  app.setNotFoundHandler((req, reply) => {
    sendProblem(reply, 'route_not_found', `${req.method} ${req.url.split('?')[0]} is not a route of this API`);
  });

  app.setErrorHandler((error: FastifyError & { validation?: AjvError[]; validationContext?: string }, req, reply) => {
    if (error instanceof DomainError) {
      if (error.headers) reply.headers(error.headers);
      return sendProblem(reply, error.code, error.message, error.errors);
    }
    if (error.validation) {
      const errors = fieldErrors(error.validation, error.validationContext);
      const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
      return sendProblem(reply, 'validation_failed', detail || 'The request is not valid', errors);
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, 'invalid_json', error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'The body is empty but Content-Type is application/json'
          : 'The body could not be parsed as JSON');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 'payload_too_large', 'The request body exceeds the size limit');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 'unsupported_media_type', 'Send the body as application/json');
    }
    // Other 4xx from Fastify or its parsers (bad Content-Length, prototype poisoning, …).
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      if (error.statusCode === 413) return sendProblem(reply, 'payload_too_large', 'The request body exceeds the size limit');
      if (error.statusCode === 415) return sendProblem(reply, 'unsupported_media_type', 'Send the body as application/json');
      return sendProblem(reply, 'validation_failed', error.message.replace(/^FST_\w+: /, ''));
    }
    req.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, 'internal_error', 'Something went wrong on our side. Quote the request_id if you contact support.');
  });
}
