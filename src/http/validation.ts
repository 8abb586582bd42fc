// Two Ajv instances: bodies are JSON and must have the right types (no coercion, unknown fields
// rejected); query strings and path params arrive as text, so they are coerced. Before either runs,
// text PostgreSQL cannot store (NUL, unpaired surrogates) is refused as validation_failed naming
// the field, once for every route: bodies right after JSON parsing (which also refuses bodies
// nested deeper than MAX_DEPTH), query and path in preValidation.
import { Ajv } from 'ajv';
import { Type } from 'typebox';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid } from '../kernel/errors.ts';
import { MAX_DEPTH, unsafeTextErrors } from './text-safety.ts';

// ajv-formats is CommonJS with a default export; under Node's ESM loader it arrives as the module.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

export function registerValidation(app: FastifyInstance) {
  const body = makeAjv(false);
  const text = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema));

  // An empty body on an action route (POST …/archive) is "no body", not broken JSON.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, raw, done) => {
    const text = raw.toString();
    if (text.trim() === '') return done(null, undefined);
    parseJson(req, text, (err, body) => {
      if (err) return done(err);
      const errors = unsafeTextErrors(body, 'body', { maxDepth: MAX_DEPTH });
      if (errors.length > 0) return done(invalid(errors));
      done(null, body);
    });
  });
  // JSON is the only body this API reads: text/plain (Fastify's other built-in parser) is a 415
  // like any other media type, not a string that fails the body schema.
  app.removeContentTypeParser('text/plain');

  // A POST or PATCH whose body fields are all optional (POST /v1/billing-runs, …/pay, an update)
  // may be sent without a body, as Stripe-style clients do: no body is {}. The OpenAPI document says the same
  // (optionalBodyIsNotRequired in src/http/openapi.ts).
  app.addHook('onRoute', (route) => {
    // An action without body fields (POST …/archive, …/finalize) refuses unknown fields like any
    // other operation: its body is an object with no properties, and no body is still fine.
    if (route.schema && route.schema.body === undefined && [route.method].flat().includes('POST')) {
      route.schema = { ...route.schema, body: NO_FIELDS };
    }
    if (!hasOptionalBody(route.method, route.schema?.body)) return;
    const defaultBody = async (req: FastifyRequest) => {
      req.body ??= {};
    };
    route.preValidation = [defaultBody, ...[route.preValidation ?? []].flat()];
  });

  app.addHook('preValidation', async (req) => {
    if (req.is404) return;
    const errors = [...unsafeTextErrors(req.params, 'path'), ...unsafeTextErrors(req.query, 'query')];
    if (errors.length > 0) throw invalid(errors);
  });
}

/** The body of a POST that takes no fields: nothing, {} or an object with no keys. */
export const NO_FIELDS = Type.Object({}, { additionalProperties: false, description: 'No fields: send no body, or {}' });

/** A POST or PATCH body schema that requires nothing: sending no body means {}. */
export function hasOptionalBody(method: string | string[], body: unknown): boolean {
  const b = body as { type?: string; required?: string[] } | undefined;
  return [method].flat().some((m) => m === 'POST' || m === 'PATCH') && b?.type === 'object' && !(b.required?.length);
}
