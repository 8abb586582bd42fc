// The OpenAPI document: valid OpenAPI 3.1, every operation documented the same way, and the
// committed openapi/openapi.json in step with the routes. Needs no database.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { validate, compileErrors } from '@readme/openapi-parser';
import { generateOpenapi, OPENAPI_FILE } from '../scripts/openapi.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { PROBLEMS } from '../src/kernel/errors.ts';
import { EVENT_TYPES } from '../src/modules/events/types.ts';

// ajv-formats is CommonJS with a default export; under Node's ESM loader it arrives as the module.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

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
        // A bank-file upload (POST /v1/payment-files) is the one request body that is a raw file, not JSON.
        const raw = op.requestBody.content?.['application/octet-stream']?.schema;
        t.ok(op.requestBody.content?.['application/json']?.schema ?? (raw && (raw as Json).format === 'binary'), 'request body has an application/json schema (or is a binary file)');
      }

      const responses = Object.entries(op.responses ?? {});
      // Documents (an invoice's HTML, PDF or UBL, a message's .eml, the churn figures' CSV) are the one kind of success that is not JSON.
      const success = responses.filter(
        ([status, r]) =>
          /^2\d\d$/.test(status) && (r.content?.['application/json'] ?? r.content?.['text/html'] ?? r.content?.['application/pdf'] ?? r.content?.['application/xml'] ?? r.content?.['message/rfc822'] ?? r.content?.['text/csv'])?.schema,
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

// Issue 10 §3: the document as a typed contract.

type Json = Record<string, any>;
const full = generated as Json;
const schemas = (full.components?.schemas ?? {}) as Record<string, Json>;
const isExample = (m: Json | undefined) => m !== undefined && (m.example !== undefined || m.examples !== undefined);

t.test('every operation has a description and an example', async (t) => {
  const noDescription = operations.filter(({ op }) => !(op as Json).description?.trim()).map((o) => o.label);
  const noExample = operations
    .filter(({ op }) => {
      const body = isExample(op.requestBody?.content?.['application/json'] as Json | undefined);
      const response = Object.entries(op.responses ?? {}).some(([s, r]) => /^2/.test(s) && Object.values(r.content ?? {}).some((m) => isExample(m as Json)));
      return !body && !response;
    })
    .map((o) => o.label);
  t.ok(operations.length >= 74, `${operations.length} operations`);
  t.same(noDescription, [], 'operations without a description');
  t.same(noExample, [], 'operations without a request or response example');
});

t.test('named resources are components, and operations answer with a $ref to them', async (t) => {
  for (const name of ['Customer', 'Product', 'Price', 'Subscription', 'Invoice', 'CreditNote', 'WebhookEndpoint', 'Event', 'Merchant', 'ApiKey', 'BillingRun', 'TestClock']) {
    t.ok(schemas[name], `components.schemas.${name}`);
  }
  const ref = (path: string, method: string, status: string) => (doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema as Json | undefined);
  t.same(ref('/v1/customers', 'post', '201'), { $ref: '#/components/schemas/Customer' });
  t.same(ref('/v1/customers/{id}', 'get', '200'), { $ref: '#/components/schemas/Customer' });
  t.same(ref('/v1/customers', 'get', '200')?.properties?.data?.items, { $ref: '#/components/schemas/Customer' });
  t.same(ref('/v1/invoices/{id}/finalize', 'post', '200'), { $ref: '#/components/schemas/Invoice' });
  t.same(ref('/v1/events/{id}', 'get', '200'), { $ref: '#/components/schemas/Event' });
  // No success response repeats a component inline (there were 56 inline copies).
  const inlineCopies: string[] = [];
  const names = Object.keys(schemas);
  for (const { label, op } of operations) {
    for (const [status, r] of Object.entries(op.responses ?? {})) {
      const s = r.content?.['application/json']?.schema as Json | undefined;
      if (!s || s.$ref) continue;
      const candidates = [s, s.properties?.data?.items].filter((x): x is Json => x && !x.$ref && x.type === 'object');
      for (const c of candidates) {
        const keys = JSON.stringify(Object.keys(c.properties ?? {}));
        const same = names.find((n) => JSON.stringify(Object.keys(schemas[n]!.properties ?? {})) === keys);
        if (same) inlineCopies.push(`${label} ${status}: ${same}`);
      }
    }
  }
  t.same(inlineCopies, [], 'no inline copy of a named schema');
});

t.test('Problem code and type are enums of the catalogue', async (t) => {
  const codes = Object.keys(PROBLEMS).sort();
  t.same([...schemas.Problem!.properties.code.enum].sort(), codes);
  t.same([...schemas.Problem!.properties.type.enum].sort(), codes.map((c) => `https://docs.omtanke.se/problems/${c}`).sort());
});

t.test('response headers are documented', async (t) => {
  for (const name of ['Request-Id', 'Idempotent-Replayed', 'RateLimit-Limit', 'RateLimit-Remaining', 'Retry-After']) t.ok(full.components.headers[name], `components.headers.${name}`);
  const missing: string[] = [];
  for (const { label, path, method, op } of operations) {
    for (const [status, r] of Object.entries(op.responses ?? {}) as [string, Json][]) {
      const has = (h: string) => r.headers?.[h]?.$ref === `#/components/headers/${h}` || missing.push(`${label} ${status} ${h}`);
      has('Request-Id');
      if (!path.startsWith('/v1/')) continue;
      if (/^2/.test(status) || status === '429') ['RateLimit-Limit', 'RateLimit-Remaining'].forEach(has);
      if (/^2/.test(status) && (method === 'post' || method === 'patch')) has('Idempotent-Replayed');
      if (status === '429') has('Retry-After');
    }
  }
  t.same(missing, []);
});

t.test('events: a webhooks entry per type, and Event a union discriminated by type', async (t) => {
  const types = Object.keys(EVENT_TYPES);
  t.same(Object.keys(full.webhooks ?? {}).sort(), [...types].sort(), 'webhooks lists every event type');
  const event = schemas.Event!;
  t.equal(event.discriminator?.propertyName, 'type');
  t.equal(event.oneOf.length, types.length);
  for (const type of types) {
    const name = event.discriminator.mapping[type]?.replace('#/components/schemas/', '');
    const variant = schemas[name];
    t.ok(variant, `${type} → ${name}`);
    if (!variant) continue;
    t.same(event.oneOf.filter((o: Json) => o.$ref === `#/components/schemas/${name}`).length, 1);
    t.same(variant.properties.type.enum ?? [variant.properties.type.const], [type], `${name}.type is "${type}"`);
    t.same(full.webhooks[type].post.requestBody.content['application/json'].schema, { $ref: `#/components/schemas/${name}` });
    const data = variant.properties.data;
    t.ok(data.properties.object.$ref, `${type}: data.object is a $ref`);
    if (type.endsWith('.updated')) t.ok(data.required.includes('previous_attributes'), `${type} carries previous_attributes`);
  }
  const objectOf = (type: string) => schemas[event.discriminator.mapping[type].replace('#/components/schemas/', '')]!.properties.data.properties.object.$ref;
  for (const [type, resource] of Object.entries({
    'customer.updated': 'Customer',
    'product.created': 'Product',
    'price.updated': 'Price',
    'subscription.canceled': 'Subscription',
    'invoice.finalized': 'Invoice',
    'invoice.credited': 'Invoice',
    'credit_note.created': 'CreditNote',
    'webhook_endpoint.disabled': 'WebhookEndpoint',
    'payment.received': 'Payment',
    'payment.refunded': 'Payment',
    'customer_balance_transaction.created': 'CustomerBalanceTransaction',
    'reminder.sent': 'Message',
    'reminder.requested': 'Message',
    'payment_plan.created': 'PaymentPlan',
    'payment_plan.defaulted': 'PaymentPlan',
    'customer.churn_risk_changed': 'ChurnRisk',
  })) {
    t.equal(objectOf(type), `#/components/schemas/${resource}`, `${type} carries a ${resource}`);
  }
  t.match(schemas.InvoiceOverdueEvent!.description, /Not emitted yet/, 'an event of a feature not built yet says so');
});

t.test('either/or bodies are oneOf in the document', async (t) => {
  const body = (path: string) => doc.paths[path]!.post!.requestBody!.content!['application/json']!.schema as Json;
  const choices = (path: string) => (body(path).allOf ?? []).map((a: Json) => a.oneOf.map((b: Json) => ({ required: b.required ?? [], forbidden: Object.keys(b.properties).filter((k) => b.properties[k] === false) })));
  t.same(choices('/v1/prices'), [[{ required: ['type', 'recurring'], forbidden: [] }, { required: ['type'], forbidden: ['recurring'] }]]);
  t.same(body('/v1/prices').allOf[0].oneOf.map((b: Json) => b.properties.type.enum ?? [b.properties.type.const]), [['recurring'], ['one_time']]);
  t.same(choices('/v1/subscriptions'), [
    [{ required: ['items'], forbidden: ['price', 'quantity'] }, { required: ['price'], forbidden: ['items'] }],
    [{ required: ['trial_period_days'], forbidden: ['trial_end'] }, { required: [], forbidden: ['trial_period_days'] }],
  ]);
  t.same(choices('/v1/credit-notes'), [[{ required: ['amount'], forbidden: ['lines'] }, { required: [], forbidden: ['amount'] }]]);

  // What the document accepts, checked with a JSON Schema validator.
  const accepts = bodyValidator();
  const ids = { customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', price: 'price_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', product: 'prod_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', invoice: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA' };
  const item = [{ price: ids.price }];
  for (const [path, b, ok] of [
    ['/v1/subscriptions', { customer: ids.customer, items: item }, true],
    ['/v1/subscriptions', { customer: ids.customer, price: ids.price, quantity: 2 }, true],
    ['/v1/subscriptions', { customer: ids.customer, items: item, price: ids.price }, false],
    ['/v1/subscriptions', { customer: ids.customer }, false],
    ['/v1/subscriptions', { customer: ids.customer, items: item, quantity: 2 }, false],
    ['/v1/subscriptions', { customer: ids.customer, items: item, trial_period_days: 14 }, true],
    ['/v1/subscriptions', { customer: ids.customer, items: item, trial_end: '2026-12-25' }, true],
    ['/v1/subscriptions', { customer: ids.customer, items: item, trial_period_days: 14, trial_end: '2026-12-25' }, false],
    ['/v1/prices', { product: ids.product, unit_amount: 100, type: 'recurring', recurring: { interval: 'month' } }, true],
    ['/v1/prices', { product: ids.product, unit_amount: 100, type: 'recurring' }, false],
    ['/v1/prices', { product: ids.product, unit_amount: 100, type: 'one_time' }, true],
    ['/v1/prices', { product: ids.product, unit_amount: 100, type: 'one_time', recurring: { interval: 'month' } }, false],
    ['/v1/credit-notes', { invoice: ids.invoice }, true],
    ['/v1/credit-notes', { invoice: ids.invoice, amount: 100 }, true],
    ['/v1/credit-notes', { invoice: ids.invoice, lines: [{ line_no: 1 }] }, true],
    ['/v1/credit-notes', { invoice: ids.invoice, amount: 100, lines: [{ line_no: 1 }] }, false],
  ] as const) {
    t.equal(accepts(path, b), ok, `${path} ${JSON.stringify(b)}: ${ok ? 'accepted' : 'refused'}`);
  }
});

t.test('a POST without body fields refuses any field', async (t) => {
  const posts = operations.filter((o) => o.method === 'post');
  const isFile = (op: Json) => op.requestBody?.content?.['application/octet-stream'] !== undefined;
  const bodyless = posts.filter(({ op }) => !isFile(op) && Object.keys((op.requestBody?.content?.['application/json']?.schema as Json | undefined)?.properties ?? {}).length === 0);
  t.ok(bodyless.length >= 10, `${bodyless.length} POSTs without body fields`);
  for (const { label, op } of bodyless) {
    const schema = op.requestBody?.content?.['application/json']?.schema as Json | undefined;
    t.equal(schema?.additionalProperties, false, `${label}: additionalProperties false`);
    t.equal((op.requestBody as Json).required, false, `${label}: the body may be left out`);
  }
  t.ok(bodyless.some((o) => o.label === 'POST /v1/customers/{id}/archive'));
});

t.test('every example in the document is valid against its schema', async (t) => {
  const check = exampleValidator();
  let count = 0;
  const wrong: string[] = [];
  const media = (where: string, m: Json | undefined) => {
    if (!m?.schema) return;
    if (m.example !== undefined && typeof m.example !== 'string') {
      count++;
      const e = check(m.schema, m.example);
      if (e) wrong.push(`${where}: ${e}`);
    }
    for (const [name, ex] of Object.entries((m.examples ?? {}) as Record<string, { value: unknown }>)) {
      count++;
      const e = check(m.schema, ex.value);
      if (e) wrong.push(`${where} (${name}): ${e}`);
    }
  };
  for (const { label, op } of operations) {
    media(`${label} request`, op.requestBody?.content?.['application/json'] as Json);
    for (const [status, r] of Object.entries(op.responses ?? {})) for (const [type, m] of Object.entries(r.content ?? {})) media(`${label} ${status} ${type}`, m as Json);
  }
  for (const [name, s] of Object.entries(schemas)) {
    for (const ex of (s.examples ?? []) as unknown[]) {
      count++;
      const e = check({ $ref: `#/components/schemas/${name}` }, ex);
      if (e) wrong.push(`components.schemas.${name}: ${e}`);
    }
  }
  t.ok(count > 100, `${count} examples checked`);
  t.same(wrong, []);
});

/** A JSON Schema 2020-12 validator over the document's components ($refs resolved against them). */
function documentAjv() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'https://omtanke.test/doc', components: JSON.parse(JSON.stringify(full.components)) });
  const rebased = (s: unknown) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"https://omtanke.test/doc#/components/'));
  return { ajv, rebased };
}

function exampleValidator() {
  const { ajv, rebased } = documentAjv();
  return (schema: unknown, value: unknown): string | undefined => {
    const validate = ajv.compile(rebased(schema));
    return validate(value) ? undefined : ajv.errorsText(validate.errors);
  };
}

function bodyValidator() {
  const { ajv, rebased } = documentAjv();
  return (path: string, value: unknown): boolean => ajv.validate(rebased(doc.paths[path]!.post!.requestBody!.content!['application/json']!.schema), value) as boolean;
}
