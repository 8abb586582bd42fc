// The OpenAPI document's frame; paths come from the route schemas.
import { hasOptionalBody } from './validation.ts';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { RouteOptions } from 'fastify';
import { PROBLEM_BASE } from './problem.ts';
import { PROBLEMS } from '../kernel/errors.ts';
import { EVENT_TYPES } from '../modules/events/types.ts';
import { eitherOrChoices, problemResponses, WRITE_PROBLEMS, type Alternative } from './schemas.ts';
import { EVENT_SCHEMAS, EventUnion, eventSchemaName } from '../modules/events/payloads.ts';
import { RESOURCE_EXAMPLES } from './openapi-examples.ts';
import type { EventType } from '../modules/events/types.ts';

// The documented default of IDEMPOTENCY_TTL_HOURS (the minimum it can be set to).
const IDEMPOTENCY_DOC_HOURS = 24;

const eventTable = Object.entries(EVENT_TYPES)
  .map(([type, when]) => `| \`${type}\` | ${when} |`)
  .join('\n');

const problemTable = Object.entries(PROBLEMS)
  .map(([code, p]) => `| \`${PROBLEM_BASE}${code}\` | ${p.status} | ${p.title} |`)
  .join('\n');

/**
 * The swagger options, and an onRoute hook that names the resources: every response schema with an
 * `$id` (Customer, Invoice, …) becomes components.schemas[$id], and the operations answer with a
 * `$ref` to it instead of a copy. The Event component is the union in src/modules/events/payloads.ts.
 */
export function openapiDocument(): { options: FastifyDynamicSwaggerOptions; collectSchemas: (route: RouteOptions) => void } {
  // Read by @fastify/swagger when the document is first built (after every route is registered).
  const schemas: Record<string, unknown> = { Event: EventUnion };
  const collectSchemas = (route: RouteOptions) => {
    for (const schema of Object.values((route.schema?.response ?? {}) as Record<string, unknown>)) {
      for (const named of [schema, listItem(schema)]) {
        const id = (named as { $id?: unknown } | undefined)?.$id;
        if (typeof id === 'string' && !(id in schemas)) schemas[id] = named;
      }
    }
  };
  return { collectSchemas, options: openapiOptions(schemas) };
}

function openapiOptions(schemas: Record<string, unknown>): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Omtanke API',
        version: '1.0.0',
        description: [
          'Headless billing for Nordic subscription businesses.',
          '',
          '**Authentication**: `Authorization: Bearer sk_test_…` (test mode) or `sk_live_…` (live mode).',
          '',
          '**Conventions**: JSON bodies; ids are prefixed by type (`cus_…`); timestamps are ISO 8601 UTC; money is integer minor units (öre) plus an ISO 4217 currency.',
          '',
          '**Idempotency**: send `Idempotency-Key: <unique string>` on any POST or PATCH. A retry with the same key and body returns the first response with `Idempotent-Replayed: true`; the same key with another body is `422`; a retry while the first is still running is `409`. Keys are kept for at least 24 hours.',
          '',
          '**Pagination**: lists return `{ "object": "list", "data": [...], "has_more": bool }`, newest first; pass the last id as `starting_after` for the next page (`limit` 1–100).',
          '',
          '**Errors** are RFC 9457 `application/problem+json` with a stable `type`:',
          '',
          '| type | status | title |',
          '|---|---|---|',
          problemTable,
          '',
          '**Event types** (the `type` of events and webhooks; subscribe with `enabled_events`):',
          '',
          '| type | when |',
          '|---|---|',
          eventTable,
        ].join('\n'),
      },
      servers: [{ url: '/', description: 'This server' }],
      tags: [
        { name: 'Customers', description: 'The people and companies a merchant bills' },
        { name: 'Catalog', description: 'Products and their immutable prices (amount, currency, VAT rate, recurrence)' },
        { name: 'Subscriptions', description: 'Recurring billing: lifecycle, anchors, proration, cancellation reasons' },
        { name: 'Invoices', description: 'Drafts, finalised and numbered Swedish invoices, credit notes, HTML and PDF' },
        { name: 'Payments', description: 'Payments matched to invoices by reference or amount and payer, customer credit, the unmatched queue, refunds' },
        { name: 'Collection', description: 'Card, Swish and autogiro invoices collected through a processor on their due date, retried on a schedule' },
        { name: 'Dunning', description: 'Friendly reminders: policies of steps from the due date, each invoice’s place in them, disputes, escalation holds, previews' },
        { name: 'Payment plans', description: 'Open invoices split into instalments, each an invoice of its own; offers that show a plan before it is agreed' },
        { name: 'Templates', description: 'Reminder wording per template, language and tone: built-in defaults, your overrides (checked on save), previews' },
        { name: 'Messages', description: 'Every message sent to customers (payment reminders), kept whole, sent once by e-mail or requested by webhook' },
        { name: 'Analytics', description: 'What reminders achieved: paid within 2 bank days and 7 days, days to payment, escalations, churn; tone and policy experiments with confidence intervals' },
        { name: 'Billing runs', description: 'Invoicing everything due, exactly once per subscription and period' },
        { name: 'Test clocks', description: 'Simulated time for test-mode customers: months of billing in seconds' },
        { name: 'API keys', description: 'Secret keys for the merchant backend' },
        { name: 'Merchant', description: 'The merchant that owns the key' },
        { name: 'Events', description: 'Every state change, in the same transaction as the change (the outbox webhooks deliver)' },
        { name: 'Webhooks', description: 'Signed (Standard Webhooks), retried for about three days, replayable' },
        { name: 'Operations', description: 'Health and readiness probes' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: sk_test_… or sk_live_…' } },
        schemas: schemas as Record<string, never>,
        headers: HEADERS as unknown as Record<string, never>,
      },
      security: [{ bearerAuth: [] }],
      webhooks: webhooks() as Record<string, never>,
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    // Idempotency-Key and body parsing are shared hooks, so their header and problems are added to
    // every documented POST and PATCH here rather than repeated in each route.
    // Fastify's swagger marks every request body required; one whose fields are all optional may be
    // left out (src/http/validation.ts turns no body into {}).
    // Then every response gets its headers and an example, in one pass over the finished document.
    transformObject: (doc) => {
      const openapi = (doc as { openapiObject: Record<string, unknown> }).openapiObject;
      return withResponseHeaders(withResponseExamples(optionalBodyIsNotRequired(openapi)));
    },
    transform: ({ schema: routeSchema, url, route }) => {
      // Named resources by $ref; either/or body fields as oneOf. Both only in the document.
      const schema = { ...routeSchema, response: byReference(routeSchema.response, schemas) } as typeof routeSchema;
      const choices = eitherOrChoices(routeSchema.body);
      if (choices) schema.body = withOneOf(routeSchema.body as Record<string, unknown>, choices);
      const methods = [route.method].flat();
      if (!url.startsWith('/v1/') || !methods.some((m) => m === 'POST' || m === 'PATCH')) return { schema, url };
      const headers = {
        type: 'object',
        properties: {
          'idempotency-key': {
            type: 'string',
            minLength: 1,
            maxLength: 255,
            description: `Makes the request safe to retry: a retry with the same key and body within ${IDEMPOTENCY_DOC_HOURS} h returns the first response`,
            examples: ['9f1c2d4e-7b8a-4c1d-9e2f-3a4b5c6d7e8f'],
          },
        },
      };
      const response = { ...(schema.response as object) } as Record<number, { description: string; content: Record<string, { examples?: object }> }>;
      for (const [status, entry] of Object.entries(problemResponses(...WRITE_PROBLEMS))) {
        const have = response[Number(status)];
        if (!have) response[Number(status)] = entry;
        else if (have.content?.['application/problem+json']) {
          const titles = new Set([...have.description.split('; '), ...entry.description.split('; ')]);
          have.description = [...titles].join('; ');
          const target = have.content['application/problem+json']!;
          target.examples = { ...entry.content['application/problem+json']!.examples, ...target.examples };
        }
      }
      return { schema: { ...schema, headers, response } as typeof schema, url };
    },
  };
}

type Operation = { requestBody?: { required?: boolean; content?: Record<string, { schema?: { type?: string; required?: string[] } }> } };

function optionalBodyIsNotRequired(doc: Record<string, unknown>) {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const methods of Object.values(paths)) {
    for (const op of [methods.post, methods.patch]) {
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      if (op?.requestBody && hasOptionalBody('POST', schema)) op.requestBody.required = false;
    }
  }
  return doc;
}

type Json = Record<string, unknown>;

/** The item schema of a list response (ListOf in src/http/schemas.ts), if it is one. */
function listItem(schema: unknown): unknown {
  const s = schema as { properties?: { object?: { const?: unknown }; data?: { items?: unknown } } } | undefined;
  return s?.properties?.object?.const === 'list' ? s.properties.data?.items : undefined;
}

const refTo = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** A route's responses with each named resource (and each list's items) replaced by a $ref to its component. */
function byReference(response: unknown, schemas: Record<string, unknown>): unknown {
  if (!response) return response;
  const named = (s: unknown) => {
    const id = (s as { $id?: unknown } | undefined)?.$id;
    return typeof id === 'string' && id in schemas ? id : undefined;
  };
  const out: Json = {};
  for (const [status, schema] of Object.entries(response as Json)) {
    const s = schema as Json;
    const id = named(s);
    const itemId = named(listItem(s));
    if (id) out[status] = { ...refTo(id), description: s.description };
    else if (itemId) {
      const props = s.properties as Json;
      out[status] = { ...s, properties: { ...props, data: { ...(props.data as Json), items: refTo(itemId) } } };
    } else out[status] = s;
  }
  return out;
}

/**
 * A body with either/or fields as JSON Schema: `allOf` one `oneOf` per choice, each alternative
 * requiring its fields and ruling the others out (`false`), so a generated client types the choice.
 */
function withOneOf(body: Json, choices: Alternative[][]): Json {
  const fields = (body.properties ?? {}) as Json;
  // A required field is repeated with its schema, so generators mark it required in that branch.
  const branch = (a: Alternative) => ({
    title: a.title,
    ...(a.required?.length ? { required: a.required } : {}),
    properties: {
      ...Object.fromEntries((a.required ?? []).map((f) => [f, fields[f]])),
      ...a.properties,
      ...Object.fromEntries((a.forbidden ?? []).map((f) => [f, false])),
    },
  });
  return { ...body, allOf: [...((body.allOf as unknown[]) ?? []), ...choices.map((alternatives) => ({ oneOf: alternatives.map(branch) }))] };
}

// Response headers, once as components and referenced from every response that carries them.
const HEADERS = {
  'Request-Id': {
    description: 'The id of this request in our logs: your `X-Request-Id` when it is 1–64 of `A–Z a–z 0–9 _ . : -`, else a generated `req_…`. Quote it to support.',
    schema: { type: 'string' },
    example: 'req_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
  },
  'Idempotent-Replayed': {
    description: 'Present (`true`) when this is the stored response of an earlier request with the same `Idempotency-Key`, not a new execution',
    schema: { type: 'string', enum: ['true'] },
  },
  'RateLimit-Limit': {
    description:
      "The API key's token bucket capacity (`RATE_LIMIT_BURST`, default 500): the most requests it can make at once. The bucket refills at `RATE_LIMIT_PER_SECOND` (default 250) a second. Sent on every `/v1` response past authentication while rate limiting is on.",
    schema: { type: 'integer', minimum: 1 },
    example: 500,
  },
  'RateLimit-Remaining': {
    description: 'Whole requests left in the bucket now (0 to `RateLimit-Limit`, never more)',
    schema: { type: 'integer', minimum: 0 },
    example: 499,
  },
  'Retry-After': {
    description: 'Seconds until the bucket has a token again (on 429 rate_limited)',
    schema: { type: 'integer', minimum: 1 },
    example: 1,
  },
};
const header = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

type Media = { schema?: Json; example?: unknown; examples?: unknown };
type DocResponse = { description?: string; headers?: Json; content?: Record<string, Media> };
type DocOperation = { responses?: Record<string, DocResponse>; requestBody?: { content?: Record<string, Media> } };

function* operations(doc: Json): Generator<{ path: string; method: string; op: DocOperation }> {
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, DocOperation>>)) {
    for (const [method, op] of Object.entries(item)) yield { path, method, op };
  }
}

/** Request-Id everywhere; the rate-limit headers on /v1 answers; Idempotent-Replayed on writes; Retry-After on 429. */
function withResponseHeaders(doc: Json): Json {
  for (const { path, method, op } of operations(doc)) {
    const v1 = path.startsWith('/v1/');
    const write = method === 'post' || method === 'patch';
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      const success = /^2/.test(status);
      const headers: Json = { 'Request-Id': header('Request-Id') };
      if (v1 && (success || status === '429')) Object.assign(headers, { 'RateLimit-Limit': header('RateLimit-Limit'), 'RateLimit-Remaining': header('RateLimit-Remaining') });
      if (v1 && write && success) headers['Idempotent-Replayed'] = header('Idempotent-Replayed');
      if (status === '429') headers['Retry-After'] = header('Retry-After');
      response.headers = { ...response.headers, ...headers };
    }
  }
  return doc;
}

/**
 * Every JSON success response gets an example: its resource's own (the component's `examples`,
 * or RESOURCE_EXAMPLES for the ones whose schema has none), a list of one for a list.
 */
function withResponseExamples(doc: Json): Json {
  const components = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, { examples?: unknown[] }>;
  const exampleOf = (ref: unknown): unknown => {
    const name = typeof ref === 'string' ? ref.replace('#/components/schemas/', '') : undefined;
    if (!name) return undefined;
    return components[name]?.examples?.[0] ?? RESOURCE_EXAMPLES[name];
  };
  for (const { op } of operations(doc)) {
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      if (!/^2/.test(status)) continue;
      const html = response.content?.['text/html'];
      if (html && html.example === undefined) html.example = '<!DOCTYPE html>\n<html lang="sv">…<h1>Faktura F-1</h1>…</html>';
      const pdf = response.content?.['application/pdf'];
      if (pdf && pdf.example === undefined) pdf.example = '%PDF-1.3 … (the invoice as an A4 PDF)';
      const xml = response.content?.['application/xml'];
      if (xml && xml.example === undefined) {
        xml.example = '<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" …>\n  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>\n  …\n</Invoice>';
      }
      const media = response.content?.['application/json'];
      if (!media?.schema || media.example !== undefined || media.examples !== undefined) continue;
      const schema = media.schema as { $ref?: string; properties?: { data?: { items?: { $ref?: string } } } };
      const one = exampleOf(schema.$ref);
      const item = exampleOf(schema.properties?.data?.items?.$ref);
      if (one !== undefined) media.example = one;
      else if (item !== undefined) media.example = { object: 'list', data: [item], has_more: false };
    }
  }
  return doc;
}

/** Standard Webhooks headers every delivery carries. */
const WEBHOOK_HEADERS = [
  { name: 'webhook-id', description: 'The event id: deduplicate on it (delivery is at least once)', example: 'evt_01KB2Y5M8Q0ZC3V1S7N4D6F9XA' },
  { name: 'webhook-timestamp', description: 'Unix seconds when this attempt was signed; refuse stale ones', example: '1795597200' },
  {
    name: 'webhook-signature',
    description: 'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per signing secret (two during a rotation overlap)',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
].map(({ name, description, example }) => ({ in: 'header', name, required: true, description, schema: { type: 'string' }, example }));

/** The top-level `webhooks`: one POST per event type, its body that type's Event schema. */
function webhooks(): Json {
  const out: Json = {};
  for (const type of Object.keys(EVENT_SCHEMAS) as EventType[]) {
    const name = eventSchemaName(type);
    const schema = EVENT_SCHEMAS[type] as { description?: string };
    out[type] = {
      post: {
        operationId: `on${name}`,
        summary: type,
        description: `${schema.description} Sent as a POST to every enabled endpoint subscribed to \`${type}\` (or \`*\`), signed per Standard Webhooks.`,
        tags: ['Webhooks'],
        security: [],
        parameters: WEBHOOK_HEADERS,
        requestBody: { required: true, content: { 'application/json': { schema: refTo(name) } } },
        responses: {
          '2XX': { description: 'Received: the delivery is done (answer quickly; do the work afterwards)' },
          '410': { description: 'Gone: the endpoint is disabled at once' },
          default: { description: 'Anything else, a timeout or a connection error is retried: 12 attempts over about three days' },
        },
      },
    };
  }
  return out;
}

