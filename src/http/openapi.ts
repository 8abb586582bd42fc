// The OpenAPI document's frame; paths come from the route schemas.
import { hasOptionalBody } from './validation.ts';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { PROBLEM_BASE } from './problem.ts';
import { PROBLEMS } from '../kernel/errors.ts';
import { EVENT_TYPES } from '../modules/events/types.ts';
import { problemResponses, WRITE_PROBLEMS } from './schemas.ts';

// The documented default of IDEMPOTENCY_TTL_HOURS (the minimum it can be set to).
const IDEMPOTENCY_DOC_HOURS = 24;

const eventTable = Object.entries(EVENT_TYPES)
  .map(([type, when]) => `| \`${type}\` | ${when} |`)
  .join('\n');

const problemTable = Object.entries(PROBLEMS)
  .map(([code, p]) => `| \`${PROBLEM_BASE}${code}\` | ${p.status} | ${p.title} |`)
  .join('\n');

export function openapiDocument(): FastifyDynamicSwaggerOptions {
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
      },
      security: [{ bearerAuth: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    // Idempotency-Key and body parsing are shared hooks, so their header and problems are added to
    // every documented POST and PATCH here rather than repeated in each route.
    // Fastify's swagger marks every request body required; one whose fields are all optional may be
    // left out (src/http/validation.ts turns no body into {}).
    transformObject: (doc) => optionalBodyIsNotRequired((doc as { openapiObject: Record<string, unknown> }).openapiObject),
    transform: ({ schema, url, route }) => {
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
