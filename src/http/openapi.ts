// The OpenAPI document's frame; paths come from the route schemas.
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { PROBLEM_BASE, PROBLEMS } from './problem.ts';

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
          '**Idempotency**: send `Idempotency-Key: <unique string>` on any POST or PATCH. A retry with the same key and body returns the first response with `Idempotent-Replayed: true`; the same key with another body is `422`; a retry while the first is still running is `409`. Keys are kept for 24 hours.',
          '',
          '**Pagination**: lists return `{ "object": "list", "data": [...], "has_more": bool }`, newest first; pass the last id as `starting_after` for the next page (`limit` 1–100).',
          '',
          '**Errors** are RFC 9457 `application/problem+json` with a stable `type`:',
          '',
          '| type | status | title |',
          '|---|---|---|',
          problemTable,
        ].join('\n'),
      },
      servers: [{ url: '/', description: 'This server' }],
      tags: [
        { name: 'Customers', description: 'The people and companies a merchant bills' },
        { name: 'API keys', description: 'Secret keys for the merchant backend' },
        { name: 'Merchant', description: 'The merchant that owns the key' },
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
    // Idempotency-Key is read by a shared hook, so it is added to the documented operations here.
    transform: ({ schema, url, route }) => {
      const methods = [route.method].flat();
      if (!url.startsWith('/v1/') || !methods.some((m) => m === 'POST' || m === 'PATCH')) return { schema, url };
      const headers = {
        type: 'object',
        properties: {
          'idempotency-key': { type: 'string', minLength: 1, maxLength: 255, description: 'Makes the request safe to retry', examples: ['9f1c2d4e-7b8a-4c1d-9e2f-3a4b5c6d7e8f'] },
        },
      };
      return { schema: { ...schema, headers } as typeof schema, url };
    },
  };
}
