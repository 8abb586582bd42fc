// RFC 9457 problem details: one closed catalogue of problem types, one error handler. A problem's
// `type` is stable and documented; 5xx details never leave the server.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { DomainError, PROBLEMS, type FieldError, type ProblemCode } from '../kernel/errors.ts';

export const PROBLEM_BASE = 'https://docs.omtanke.se/problems/';

export const ProblemSchema = Type.Object(
  {
    // Enums of the closed catalogue (src/kernel/errors.ts), so a client's switch over them is checked.
    type: Type.Enum(
      Object.keys(PROBLEMS).map((code) => PROBLEM_BASE + code),
      { format: 'uri', description: 'Stable problem type: the base URL plus `code`', examples: [`${PROBLEM_BASE}validation_failed`] },
    ),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Enum(Object.keys(PROBLEMS) as ProblemCode[], { description: 'The last segment of `type`, convenient for switch statements' }),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    request_id: Type.Optional(Type.String()),
    customer: Type.Optional(Type.String({ description: '`customer_exists`: the id of the existing (former) customer', examples: ['cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA'] })),
    line: Type.Optional(Type.Integer({ description: '`payment_file_invalid`: the 1-based line of a BgMax file where it went wrong', examples: [12] })),
    path: Type.Optional(Type.String({ description: '`payment_file_invalid`: the element of a camt.054 file where it went wrong', examples: ['Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[3]/Amt'] })),
    reason: Type.Optional(Type.String({ description: '`payment_file_invalid`: why the file cannot be imported' })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ examples: ['address.postal_code'] }),
          location: Type.Union([Type.Literal('body'), Type.Literal('query'), Type.Literal('path'), Type.Literal('header'), Type.Literal('merchant'), Type.Literal('customer')], {
            description:
              '`merchant`: a merchant setting (PATCH /v1/merchant) the request needs, not a field of the request; `customer`: a field of the customer concerned (PATCH /v1/customers/{id})',
          }),
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

type AjvError = { instancePath: string; schemaPath?: string; keyword: string; message?: string; params: Record<string, unknown> };

const A_TYPE: Record<string, string> = {
  null: 'null',
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
};
const parent = (schemaPath: string | undefined) => (schemaPath ?? '').replace(/\/[^/]*$/, '');
const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * "must be one of: month, quarter, year" for every path where a value missed an enum or the
 * literals of a union (TypeBox's Union of Literals is an anyOf of `const`s). Other branches of the
 * same union (null, a number, …) are named after the values: "must be one of: sv, en (or null)".
 */
function allowedValueMessages(validation: AjvError[]): Map<string, string> {
  const byPath = new Map<string, { values: unknown[]; literalBranches: Set<string> }>();
  for (const e of validation) {
    if (e.keyword !== 'const' && e.keyword !== 'enum') continue;
    const entry = byPath.get(e.instancePath) ?? { values: [], literalBranches: new Set<string>() };
    byPath.set(e.instancePath, entry);
    const values = e.keyword === 'enum' ? ((e.params.allowedValues as unknown[]) ?? []) : [e.params.allowedValue];
    for (const v of values) if (!entry.values.some((x) => Object.is(x, v))) entry.values.push(v);
    entry.literalBranches.add(parent(e.schemaPath));
  }
  const out = new Map<string, string>();
  for (const [path, entry] of byPath) {
    // A type error in a literal's own schema ({ type: 'string', const: 'month' }) is the same
    // complaint; one in another branch of the union is another allowed kind of value.
    const others = new Set<string>();
    for (const e of validation) {
      if (e.instancePath !== path || e.keyword !== 'type' || entry.literalBranches.has(parent(e.schemaPath))) continue;
      for (const t of String(e.params.type).split(',')) others.add(A_TYPE[t] ?? t);
    }
    const list = entry.values.map(shown).join(', ');
    out.set(path, `must be one of: ${list}${others.size > 0 ? ` (or ${[...others].join(' or ')})` : ''}`);
  }
  return out;
}

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
  const allowed = allowedValueMessages(validation);
  for (const e of relevant) {
    const base = e.instancePath.split('/').filter(Boolean).join('.');
    let field = base;
    let message = e.message ?? 'is not valid';
    const oneOf = allowed.get(e.instancePath);
    if (e.keyword === 'required') {
      field = [base, e.params.missingProperty].filter(Boolean).join('.');
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field = [base, e.params.additionalProperty].filter(Boolean).join('.');
      message = 'is not a known field';
    } else if (oneOf && (e.keyword === 'const' || e.keyword === 'enum' || e.keyword === 'type' || e.keyword === 'anyOf')) {
      message = oneOf;
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

/** What a route reads: JSON, unless its config names other media types (a bank-file upload). */
function sendAs(req: FastifyRequest): string {
  const types = (req.routeOptions?.config as { mediaTypes?: readonly string[] } | undefined)?.mediaTypes;
  return `Send the body as ${types?.length ? types.join(', ') : 'application/json'}`;
}

export function registerProblemHandlers(app: FastifyInstance) {
  app.setNotFoundHandler((req, reply) => {
    sendProblem(reply, 'route_not_found', `${req.method} ${req.url.split('?')[0]} is not a route of this API`);
  });

  app.setErrorHandler((error: FastifyError & { validation?: AjvError[]; validationContext?: string }, req, reply) => {
    if (error instanceof DomainError) {
      if (error.headers) reply.headers(error.headers);
      if (error.customer || error.fileError) {
        return reply
          .code(PROBLEMS[error.code].status)
          .type('application/problem+json')
          .send({ ...problemBody(error.code, error.message, req, error.errors), ...(error.customer ? { customer: error.customer } : {}), ...error.fileError });
      }
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
        return sendProblem(reply, 'unsupported_media_type', sendAs(req));
    }
    // Other 4xx from Fastify or its parsers (bad Content-Length, prototype poisoning, …).
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      if (error.statusCode === 413) return sendProblem(reply, 'payload_too_large', 'The request body exceeds the size limit');
      if (error.statusCode === 415) return sendProblem(reply, 'unsupported_media_type', sendAs(req));
      return sendProblem(reply, 'validation_failed', error.message.replace(/^FST_\w+: /, ''));
    }
    req.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, 'internal_error', 'Something went wrong on our side. Quote the request_id if you contact support.');
  });
}

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route or hook runs, answered
 * from the catalogue instead of Fastify's own JSON. A path that does not percent-decode to UTF-8
 * (`%ZZ`, `%C0%AF`, a lone `%`) is a malformed path: 400 validation_failed. A path parameter
 * longer than the router's maxParamLength (100 characters) is 400 validation_failed too, not 404
 * or 414: every id is far shorter, so it is a malformed id, which this API answers with 400
 * wherever it meets one.
 */
export function frameworkErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  reply.header('request-id', req.id);
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return sendProblem(reply, 'validation_failed', 'The path is not valid percent-encoded UTF-8', [
        { field: '(path)', location: 'path', message: 'is not valid percent-encoded UTF-8' },
      ]);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return sendProblem(reply, 'validation_failed', 'A path parameter is longer than 100 characters; no id is', [
        { field: '(path)', location: 'path', message: 'has a parameter longer than 100 characters' },
      ]);
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return sendProblem(reply, 'validation_failed', error.message.replace(/^FST_\w+: /, ''));
  }
  req.log.error({ err: error }, 'framework error');
  return sendProblem(reply, 'internal_error', 'Something went wrong on our side. Quote the request_id if you contact support.');
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser cannot read (a malformed or
 * duplicated Content-Length, bad characters in a header, headers over the size limit, a request
 * that never finished arriving). There is no request to answer through Fastify, so the problem is
 * written to the socket, which is then closed. The catalogue has no 408 or 431, so these are all
 * 400 validation_failed, with a detail saying which.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const detail =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'The request headers are larger than the server accepts'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'The request did not arrive in time'
        : 'The request is not valid HTTP/1.1';
  const body = JSON.stringify(problemBody('validation_failed', detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
