// The OpenAPI document: valid OpenAPI 3.1, every operation documented the same way, and the
// committed openapi/openapi.json in step with the routes. Needs no database.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { validate, compileErrors } from '@readme/openapi-parser';
import { generateOpenapi, OPENAPI_FILE } from '../scripts/openapi.ts';

type Schema = Record<string, unknown>;
type Media = { schema?: Schema; examples?: Record<string, unknown> };
type Response = { description?: string; content?: Record<string, Media> };
type Parameter = { in: string; name: string; required?: boolean; schema?: Schema };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, Response>;
};
type Document = {
  openapi: string;
  tags?: { name: string }[];
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, { type: string; scheme?: string }> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PROBLEM_REF = '#/components/schemas/Problem';

const generated = await generateOpenapi();
const doc = generated as unknown as Document;

const operations: { label: string; path: string; method: string; op: Operation }[] = [];
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (METHODS.includes(method)) operations.push({ label: `${method.toUpperCase()} ${path}`, path, method, op });
  }
}

t.test('the generated document is valid OpenAPI 3.1', async (t) => {
  t.equal(doc.openapi, '3.1.0');
  // validate() dereferences in place: hand it a copy.
  const result = await validate(structuredClone(generated) as unknown as Parameters<typeof validate>[0]);
  t.ok(result.valid, result.valid ? 'valid' : compileErrors(result));
  t.same(result.warnings, [], 'no warnings');
});

t.test('security: bearerAuth is declared and required by default; probes are open', async (t) => {
  const scheme = doc.components?.securitySchemes?.bearerAuth;
  t.ok(scheme, 'components.securitySchemes.bearerAuth exists');
  t.equal(scheme?.type, 'http');
  t.equal(scheme?.scheme, 'bearer');
  t.same(doc.security, [{ bearerAuth: [] }], 'top-level security requires bearerAuth');
  for (const path of ['/healthz', '/readyz']) {
    t.same(doc.paths[path]?.get?.security, [], `GET ${path} has security: []`);
  }
});

t.test('the Problem schema is a component', async (t) => {
  const problem = doc.components?.schemas?.Problem;
  t.ok(problem, 'components.schemas.Problem exists');
  t.match(problem, { type: 'object', required: ['type', 'title', 'status', 'detail', 'code'] });
});

t.test('every /v1 operation is fully documented', async (t) => {
  const v1 = operations.filter((o) => o.path.startsWith('/v1/'));
  t.ok(v1.length > 0, 'there are /v1 operations');
  const declaredTags = new Set((doc.tags ?? []).map((tag) => tag.name));
  const ids = new Set<string>();

  for (const { label, op, method, path } of v1) {
    t.test(label, async (t) => {
      t.type(op.operationId, 'string', 'has an operationId');
      t.notOk(ids.has(op.operationId!), 'operationId is unique');
      ids.add(op.operationId!);
      t.ok(op.summary && op.summary.trim().length > 0, 'has a summary');
      t.ok(op.tags && op.tags.length > 0, 'has tags');
      for (const tag of op.tags ?? []) t.ok(declaredTags.has(tag), `tag ${tag} is declared at the top level`);
      t.not(op.security?.length, 0, 'does not opt out of authentication');

      for (const p of op.parameters ?? []) t.ok(p.schema, `parameter ${p.in}:${p.name} has a schema`);
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const param = (op.parameters ?? []).find((p) => p.in === 'path' && `{${p.name}}` === name);
        t.ok(param?.required, `path parameter ${name} is documented and required`);
      }
      if (method === 'post' || method === 'patch') {
        t.ok(
          (op.parameters ?? []).some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'),
          'documents the Idempotency-Key header',
        );
      }
      if (op.requestBody) {
        t.ok(op.requestBody.content?.['application/json']?.schema, 'request body has an application/json schema');
      }

      const responses = Object.entries(op.responses ?? {});
      // Documents (an invoice's HTML or PDF) are the one kind of success that is not JSON.
      const success = responses.filter(
        ([status, r]) => /^2\d\d$/.test(status) && (r.content?.['application/json'] ?? r.content?.['text/html'] ?? r.content?.['application/pdf'])?.schema,
      );
      t.ok(success.length > 0, 'has a 2xx response with a schema');

      const problems = responses.filter(([status]) => /^4\d\d$/.test(status));
      t.ok(problems.length > 0, 'has at least one 4xx response');
      t.ok(op.responses?.['401'], 'documents 401');
      for (const [status, r] of responses.filter(([s]) => /^[45]\d\d$/.test(s))) {
        t.same(Object.keys(r.content ?? {}), ['application/problem+json'], `${status} is application/problem+json`);
        t.same(r.content?.['application/problem+json']?.schema, { $ref: PROBLEM_REF }, `${status} references Problem`);
        t.ok(Object.keys(r.content?.['application/problem+json']?.examples ?? {}).length > 0, `${status} has examples`);
      }
    });
  }
});

t.test('openapi/openapi.json is up to date', async (t) => {
  const committed = await readFile(OPENAPI_FILE, 'utf8').then(
    (s) => JSON.parse(s) as unknown,
    () => undefined,
  );
  t.ok(committed, 'openapi/openapi.json exists (run `npm run openapi` to create it)');
  t.strictSame(committed, generated, 'openapi/openapi.json matches the routes (if stale: run `npm run openapi` and commit the result)');
});
