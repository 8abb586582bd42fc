// Shared TypeBox pieces of the API's conventions: ids, timestamps, metadata, lists, errors.
import { Type, type TSchema } from 'typebox';
import { ID_PREFIXES, idPattern, type IdKind } from '../db/ids.ts';
import { PROBLEM_BASE } from './problem.ts';
import { PROBLEMS, type ProblemCode } from '../kernel/errors.ts';

export const Id = (kind: IdKind, description?: string) =>
  Type.String({ pattern: idPattern(kind), description: description ?? `${kind} id`, examples: [`${ID_PREFIXES[kind]}_01KB2Y5M8Q0ZC3V1S7N4D6F9XA`] });

export const Timestamp = (description: string) => Type.String({ format: 'date-time', description: `${description} (ISO 8601, UTC)` });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Up to 50 string pairs of the merchant's own data, like Stripe's metadata. */
export const Metadata = Type.Record(Type.String({ minLength: 1, maxLength: 40, pattern: '^[^\\[\\]]+$' }), Type.String({ maxLength: 500 }), {
  maxProperties: 50,
  description: 'Up to 50 keys (≤ 40 characters) with string values (≤ 500 characters) for your own use',
  examples: [{ crm_id: '4711' }],
});

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Page size, 1–100 (default 10)' })),
};

export function ListOf<T extends TSchema>(item: T, description: string) {
  return Type.Object(
    {
      object: Type.Literal('list'),
      data: Type.Array(item),
      has_more: Type.Boolean({ description: 'Whether another page follows; pass the last id as `starting_after` to get it' }),
    },
    { description },
  );
}

const problemRef = { $ref: 'Problem#' } as unknown as TSchema;

type ProblemResponse = { description: string; content: Record<string, { schema: TSchema; examples?: Record<string, { value: unknown }> }> };

/** Problem responses for OpenAPI (application/problem+json), described by title with an example each. */
export function problemResponses(...codes: ProblemCode[]): Record<number, ProblemResponse> {
  const out: Record<number, ProblemResponse> = {};
  const all: ProblemCode[] = ['authentication_required', 'invalid_api_key', 'api_key_revoked', 'rate_limited', 'internal_error', ...codes];
  for (const code of new Set(all)) {
    const { status, title } = PROBLEMS[code];
    const entry = (out[status] ??= { description: '', content: { 'application/problem+json': { schema: problemRef, examples: {} } } });
    entry.description = entry.description ? `${entry.description}; ${title}` : title;
    entry.content['application/problem+json']!.examples![code] = {
      value: { type: PROBLEM_BASE + code, title, status, detail: title, code },
    };
  }
  return out;
}

/** What any POST or PATCH can also answer: body parsing and Idempotency-Key outcomes. */
export const WRITE_PROBLEMS: ProblemCode[] = [
  'validation_failed',
  'invalid_json',
  'invalid_idempotency_key',
  'idempotency_request_in_progress',
  'idempotency_key_reused',
  'payload_too_large',
  'unsupported_media_type',
];

/**
 * One side of an either/or choice in a request body: the fields it requires, the fields it rules
 * out, and any field whose schema it narrows (price `type: recurring` with `recurring`).
 */
export type Alternative = { title: string; required?: string[]; forbidden?: string[]; properties?: Record<string, TSchema> };

const EITHER_OR = new WeakMap<object, Alternative[][]>();

/**
 * Marks a body's either/or fields (subscription `items` xor `price`, …). The service checks them,
 * with an error naming the field, as it always has; the OpenAPI document describes each choice as a
 * `oneOf` (src/http/openapi.ts), so generated clients type it. The schema Ajv runs is unchanged:
 * its errors for a `oneOf` ("must match exactly one schema") name no field.
 */
export function eitherOr<T extends TSchema>(body: T, ...choices: Alternative[][]): T {
  EITHER_OR.set(body, choices);
  return body;
}

/** The either/or choices of a body schema marked with eitherOr, if any. */
export const eitherOrChoices = (body: unknown): Alternative[][] | undefined =>
  typeof body === 'object' && body !== null ? EITHER_OR.get(body) : undefined;

/** What a DELETE that removes the object answers: `{ id, object, deleted: true }`. */
export const Deleted = <O extends string>(kind: IdKind, object: O) =>
  Type.Object(
    { id: Id(kind), object: Type.Literal(object), deleted: Type.Literal(true) },
    { description: `The ${object.replace('_', ' ')} is deleted`, examples: [{ id: `${ID_PREFIXES[kind]}_01KB2Y5M8Q0ZC3V1S7N4D6F9XA`, object, deleted: true }] },
  );
