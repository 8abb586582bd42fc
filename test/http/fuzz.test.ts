// A seeded fuzz of every route of the app, as two merchants. Routes come from the app itself (its
// OpenAPI document, plus the routes it hides from it, plus paths that are no route), so a new
// route is fuzzed without a change here. Requests get schema-shaped bodies, wrong types, odd text (NUL, lone surrogates, emoji,
// right-to-left, very long, deeply nested), odd content types, ids of this merchant, of another
// merchant, malformed and badly percent-encoded, random query strings and odd headers.
//
// Properties: nothing answers 5xx; every error is application/problem+json from the catalogue
// (type, title, status, detail and code agree); merchant A naming merchant B's ids gets 404 and
// never sees B's data, and B's objects are unchanged; afterwards the service is still healthy.
//
// Reproduce a run: FUZZ_SEED=<the seed it printed> npm test -- test/http/fuzz.test.ts
// FUZZ_RUNS sets the requests per route (default 20: about half a minute on two busy cores).
import t from 'tap';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, call, type TestMerchant } from '../helpers/app.ts';
import { FIELD_LOCATIONS, PROBLEMS } from '../../src/kernel/errors.ts';
import { writeCamt054 } from '../helpers/bank-files.ts';
import { PROBLEM_BASE } from '../../src/http/problem.ts';
import { openTransaction } from '../../src/db/unit-of-work.ts';
import type { Services } from '../../src/services.ts';
import type { Database } from '../../src/db/client.ts';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

type Schema = Record<string, any>;
type Param = { name: string; in: string; schema: Schema; required?: boolean };
type Route = { method: string; path: string; path_params: Param[]; query: Param[]; body?: Schema; example?: unknown; documented: boolean };
// readsBody: the request went to a route that has a body schema (a DELETE ignores any body it is sent).
type Req = { method: string; url: string; headers: Record<string, string>; payload?: string; pathIds: Array<string | undefined>; pathValid: boolean; readsBody: boolean };
type Res = Awaited<ReturnType<typeof call>>;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID = /^([a-z]+)_[0-9A-HJKMNP-TV-Z]{26}$/;
const ID_ANYWHERE = /\b[a-z]+_[0-9A-HJKMNP-TV-Z]{26}\b/g;
const prefixOf = (schema: Schema | undefined): string | undefined => {
  const m = /^\^([a-z]+)_\[0-9A-HJKMNP-TV-Z\]\{26\}\$$/.exec(schema?.pattern ?? '');
  return m?.[1];
};

// ---------------------------------------------------------------------------------------------
// Routes, from the app.

/** `app.printRoutes()` as (path, methods): finds the routes the OpenAPI document hides too. */
function printedRoutes(app: FastifyInstance): Array<{ path: string; methods: string[] }> {
  const out: Array<{ path: string; methods: string[] }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    stack.length = m[1]!.length / 4;
    // A segment without a leading slash continues its parent's (the radix tree splits
    // /pay and /payment-plan-offers after "pay").
    stack.push(m[2]!.startsWith('/') || stack.length > 0 ? m[2]! : `/${m[2]}`);
    if (m[3]) out.push({ path: stack.join('').replace(/:(\w+)/g, '{$1}'), methods: m[3].split(', ') });
  }
  return out;
}

function routesOf(app: FastifyInstance): Route[] {
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, Schema>> };
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params: Param[] = op.parameters ?? [];
      const media = op.requestBody?.content?.['application/json'];
      routes.push({
        method: method.toUpperCase(),
        path,
        path_params: params.filter((p) => p.in === 'path'),
        query: params.filter((p) => p.in === 'query'),
        body: media?.schema,
        example: media?.example ?? media?.schema?.examples?.[0],
        documented: true,
      });
    }
  }
  for (const r of printedRoutes(app)) {
    for (const method of r.methods) {
      if (method === 'HEAD' || routes.some((x) => x.method === method && x.path === r.path)) continue;
      const names = [...r.path.matchAll(/\{(\w+)\}|\*/g)].map((m) => m[1] ?? '*');
      routes.push({ method, path: r.path, path_params: names.map((name) => ({ name, in: 'path', schema: { type: 'string' } })), query: [], documented: false });
    }
  }
  return routes;
}

// ---------------------------------------------------------------------------------------------
// What each merchant owns: ids by prefix, and text only its own responses may contain.

type Pool = { ids: Map<string, string[]>; all: Set<string>; markers: Set<string> };
const newPool = (): Pool => ({ ids: new Map(), all: new Set(), markers: new Set() });

function collect(pool: Pool, value: unknown, exclude: Set<string>) {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const m = ID.exec(v);
      if (m && !exclude.has(v) && !pool.all.has(v)) {
        pool.all.add(v);
        const list = pool.ids.get(m[1]!) ?? [];
        list.push(v);
        pool.ids.set(m[1]!, list);
      }
      if (/^(whsec_|sk_(test|live)_)/.test(v)) pool.markers.add(v);
    } else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') stack.push(...Object.values(v));
  }
}

/** Objects of every kind the API has, created through the API so their ids and data are real. */
async function seed(app: FastifyInstance, m: TestMerchant, tag: string, pool: Pool) {
  const exclude = new Set([m.keyId]); // revoking the key the fuzz runs with would end the fuzz
  const send = async (method: 'POST' | 'GET' | 'PATCH', url: string, payload?: object) => {
    const r = await call(app, { method, url, headers: m.auth, ...(payload ? { payload } : {}) });
    if (r.status >= 300) throw new Error(`seeding ${tag}: ${method} ${url} answered ${r.status} ${r.body}`);
    collect(pool, r.json, exclude);
    return r.json;
  };
  for (const name of [`${tag} Kundsson`, `${tag} Produkt`, `${tag} Konsult AB`, `${tag}-rad`, `${tag}-nyckel`, `${tag}-klocka`, `${tag} Säljare AB`]) pool.markers.add(name);
  await send('PATCH', '/v1/merchant', {
    legal_name: `${tag} Säljare AB`,
  }).catch(() => undefined); // the seller details are optional; their shape is the merchants module's business
  // The endpoint first, so every later event has a delivery to it.
  await send('POST', '/v1/webhook-endpoints', { url: `https://hooks.example.se/${tag}`, enabled_events: ['*'] });
  const customer = await send('POST', '/v1/customers', {
    name: `${tag} Kundsson`,
    email: `${tag.toLowerCase()}@example.se`,
    address: { line1: `${tag}-gatan 1`, postal_code: '114 51', city: 'Stockholm' },
    metadata: { crm: `${tag}-crm` },
  });
  await send('POST', '/v1/customers', { name: `${tag} Konsult AB`, type: 'company', national_id: '556036-0793' });
  const product = await send('POST', '/v1/products', { name: `${tag} Produkt` });
  const price = await send('POST', '/v1/prices', { product: product.id, unit_amount: 19900, type: 'recurring', recurring: { interval: 'month', interval_count: 1 } });
  await send('POST', '/v1/prices', { product: product.id, unit_amount: 5000, type: 'one_time', nickname: `${tag}-rad` });
  for (const quantity of [1, 2, 3]) await send('POST', '/v1/subscriptions', { customer: customer.id, items: [{ price: price.id, quantity }] });
  const line = { description: `${tag}-rad`, quantity: 1, unit_amount: 10000, vat_rate: 25 };
  await send('POST', '/v1/invoices', { customer: customer.id, lines: [line] });
  const open = await send('POST', '/v1/invoices', { customer: customer.id, lines: [line, { ...line, quantity: 3 }], auto_finalize: true });
  await send('POST', '/v1/credit-notes', { invoice: open.id, amount: 1000 });
  // A payment larger than the invoice (the rest is the customer's credit), a refund, an unmatched one.
  const payment = await send('POST', '/v1/payments', { amount: 60000, invoice: open.id, method: 'bankgiro', payer: { name: `${tag} Kundsson` } });
  await send('POST', `/v1/payments/${payment.id}/refunds`, { amount: 1000, reason: `${tag}-rad` });
  await send('POST', '/v1/payments', { amount: 777, reference: `${tag}-ref` });
  // A card customer's invoice: its first collection attempt is scheduled for the due date.
  const card = await send('POST', '/v1/customers', { name: `${tag} Kundsson`, payment_method: { type: 'card', token: 'tok_test_succeeds', brand: 'visa', last4: '4242' } });
  await send('POST', '/v1/invoices', { customer: card.id, lines: [line], auto_finalize: true });
  await send('GET', '/v1/collection-attempts');
  // A bank file (raw XML body), imported to the end before the fuzz starts.
  const camt = writeCamt054({ payeeBankgiro: '5050-1055', payments: [{ amount: 4500, serial: `${tag}-1`, payerName: `${tag} Kundsson` }] });
  const file = await call(app, { method: 'POST', url: '/v1/payment-files', headers: { ...m.auth, 'content-type': 'application/xml' }, payload: camt });
  if (file.status !== 201) throw new Error(`seeding ${tag}: POST /v1/payment-files answered ${file.status} ${file.body}`);
  collect(pool, file.json, exclude);
  for (let i = 0; i < 400 && (await send('GET', `/v1/payment-files/${file.json.id}`)).status === 'processing'; i++) await new Promise((r) => setTimeout(r, 25));
  const clock = await send('POST', '/v1/test-clocks', { frozen_time: '2026-11-25T09:00:00Z', name: `${tag}-klocka` });
  await send('POST', '/v1/customers', { name: `${tag} Kundsson`, test_clock: clock.id });
  await send('POST', '/v1/billing-runs');
  await send('POST', '/v1/api-keys', { name: `${tag}-nyckel` }).catch(() => send('POST', '/v1/api-keys'));
  // Templates: an override of one reminder (the other 23 stay defaults).
  pool.markers.add(`${tag}-mall`);
  await send('POST', '/v1/templates', {
    template: 'reminder',
    locale: 'sv',
    tone: 'friendly',
    subject: `${tag}-mall {{invoice.number}}`,
    html: `{{#> layout}}<p>${tag}-mall {{customer.name}}</p>{{> payment}}{{/layout}}`,
    text: `${tag}-mall {{customer.name}}`,
  });
  // A payment plan over an invoice of its own: two instalment invoices, the original in_payment_plan.
  const planned = await send('POST', '/v1/invoices', { customer: customer.id, lines: [line], auto_finalize: true });
  await send('POST', '/v1/payment-plans', { customer: customer.id, invoices: [planned.id], instalments: 2, metadata: { crm: `${tag}-plan` } });
  // Dunning: a policy of its own and one invoice disputed (the rest get cases as the routes touch them).
  pool.markers.add(`${tag}-policy`);
  const policy = await send('POST', '/v1/dunning-policies', { name: `${tag}-policy`, rules: { min_gap_days: 4 } });
  await send('GET', '/v1/dunning-policies');
  // An experiment running: one arm on the policy above, one on a firm tone.
  pool.markers.add(`${tag}-experiment`);
  await send('POST', '/v1/experiments', { name: `${tag}-experiment`, arms: [{ key: 'control', policy: null, tone: null }, { key: 'own', policy: policy.id, tone: 'firm' }] });
  for (const id of pool.ids.get('in') ?? []) {
    const r = await call(app, { method: 'POST', url: `/v1/invoices/${id}/dispute`, headers: m.auth, payload: { reason: `${tag}-tvist` } });
    if (r.status === 200) break;
  }
  await send('GET', '/v1/events?limit=100');
  await send('GET', '/v1/merchant');
  pool.markers.add(m.id);
  pool.markers.add(m.key);
  for (const id of pool.all) pool.markers.add(id);
}

/** Messages: no route makes them (the dunning sweep does), so they are enqueued as it would: an e-mail and a Kivra reminder. */
async function seedMessages(app: FastifyInstance, services: Services, database: Database, m: TestMerchant, tag: string, pool: Pool) {
  const customer = pool.ids.get('cus')![0]!;
  const invoices = pool.ids.get('in')!.slice(0, 2);
  for (const [i, delivery] of (['email_pdf', 'kivra'] as const).entries()) {
    await openTransaction(database.db, (tx) =>
      services.messages.enqueue(tx, {
        merchantId: m.id,
        customerId: customer,
        policyId: null,
        step: { key: `${tag}-steg`, kind: 'reminder', tone: 'friendly' },
        locale: 'sv',
        delivery,
        toAddress: delivery === 'kivra' ? null : `${tag.toLowerCase()}@example.se`,
        rendered: { subject: `${tag} påminnelse`, text: `${tag} text`, html: `<p>${tag} html</p>` },
        attachPdf: true,
        currency: 'SEK',
        amountDue: 10000,
        feeAmount: 0,
        interestAmount: 0,
        businessTime: new Date('2026-11-25T09:00:00Z'),
        invoices: [{ invoiceId: invoices[i]!, amountRemaining: 10000 }],
        fallbackChannels: ['webhook'],
      }),
    );
  }
  const list = await call(app, { method: 'GET', url: '/v1/messages', headers: m.auth });
  collect(pool, list.json, new Set([m.keyId]));
  pool.markers.add(`${tag} påminnelse`);
  // Churn risk scores for every customer (the worker's pass), so the list by level has rows to page.
  await services.churnRisk.pass();
  for (const id of pool.all) pool.markers.add(id);
}

// ---------------------------------------------------------------------------------------------
// Generators.

const SPECIAL = [
  '\u0000', '\ud800', '\udc00', '\udfff\ud800', '😀', '👩🏽‍💻', 'שלום', 'مرحبا', '\u202e', '\u200b', '\ufeff', 'Åäö', '\r\n', '"', '\\',
  '<script>alert(1)</script>', "'; drop table customers; --", '%00', '%ZZ', '{{this}}', '${x}', '../../etc/passwd', 'null', '1e309', '-0', ' ',
];
const codeUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((a) => String.fromCharCode(...a));
const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: codeUnits },
  { weight: 1, arbitrary: fc.integer({ min: 201, max: 6000 }).map((n) => 'å'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 40_000, max: 80_000 }).map((n) => 'x'.repeat(n)) },
);
const oddNumber = fc.constantFrom(-1, 0, 1.5, -0.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e20, 1e308, -1e308, Number.MIN_VALUE);
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(oddString, oddNumber, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }), fc.constant([]), fc.constant({}));

const randomId = (prefix: string) => fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 26, maxLength: 26 }).map((s) => `${prefix}_${s}`);
const pick = (list: () => string[]) => fc.nat().map((i) => {
  const l = list();
  return l[i % l.length]!;
});
const PREFIXES = ['cus', 'prod', 'price', 'in', 'cn', 'sub', 'evt', 'we', 'clock', 'brun', 'key', 'mer', 'si', 'wha', 'py', 're', 'cbtxn', 'colatt', 'msg', 'dp', 'tpl', 'exp'];
const malformedId = (prefix: string) =>
  fc.oneof(
    fc.constantFrom(`${prefix}_`, `${prefix}_01KB2Y5M8Q0ZC3V1S7N4D6F9X`, `${prefix}_01kb2y5m8q0zc3v1s7n4d6f9xa`, `${prefix}_01KB2Y5M8Q0ZC3V1S7N4D6F9XAA`, `${prefix.toUpperCase()}_01KB2Y5M8Q0ZC3V1S7N4D6F9XA`, `${prefix}-01KB2Y5M8Q0ZC3V1S7N4D6F9XA`, `${prefix}_01KB2Y5M8Q0ZC3V1S7N4D6F9XI`),
    fc.constantFrom(...PREFIXES).chain((p) => randomId(p)),
    oddString,
  );

/** odd: parts of values may be wrong; ownIds: ids are merchant A's own (a clean request). */
type Ctx = { a: Pool; b: Pool; odd: boolean; ownIds?: boolean };

function idArb(prefix: string, ctx: Ctx): fc.Arbitrary<string> {
  if (ctx.ownIds) return ctx.a.ids.get(prefix)?.length ? pick(() => ctx.a.ids.get(prefix)!) : randomId(prefix);
  const options: Array<fc.WeightedArbitrary<string>> = [
    { weight: 1, arbitrary: randomId(prefix) },
    { weight: 1, arbitrary: malformedId(prefix) },
  ];
  if (ctx.a.ids.get(prefix)?.length) options.push({ weight: 6, arbitrary: pick(() => ctx.a.ids.get(prefix)!) });
  if (ctx.b.ids.get(prefix)?.length) options.push({ weight: 2, arbitrary: pick(() => ctx.b.ids.get(prefix)!) });
  return fc.oneof(...options);
}

const iso = (d: Date) => d.toISOString();
const dates = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true });

function stringArb(s: Schema, ctx: Ctx): fc.Arbitrary<string> {
  const prefix = prefixOf(s);
  if (prefix) return idArb(prefix, ctx);
  const examples: string[] = (s.examples ?? []).filter((x: unknown) => typeof x === 'string');
  let base: fc.Arbitrary<string>;
  if (s.format === 'date-time') base = fc.oneof(dates.map(iso), fc.constantFrom('2026-11-25T09:00:00Z', '2026-02-30T00:00:00Z', '9999-12-31T23:59:59Z', '1970-01-01T00:00:00Z'));
  else if (s.format === 'date') base = fc.oneof(dates.map((d) => iso(d).slice(0, 10)), fc.constantFrom('2026-11-25', '2026-02-29', '2028-02-29', '0000-01-01'));
  else if (s.format === 'email') base = fc.emailAddress();
  else if (s.format === 'uri' || s.format === 'url') base = fc.oneof(fc.webUrl(), fc.constant('https://hooks.example.se/x'));
  else if (s.pattern) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern);
    } catch {
      re = undefined;
    }
    base = re ? fc.stringMatching(re).filter((x) => x.length <= (s.maxLength ?? 1000)) : fc.string();
  } else base = fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 60) });
  const options: Array<fc.WeightedArbitrary<string>> = [{ weight: 4, arbitrary: base }];
  if (examples.length > 0) options.push({ weight: 3, arbitrary: fc.constantFrom(...examples) });
  if (ctx.odd) options.push({ weight: 3, arbitrary: oddString });
  return fc.oneof(...options);
}

function numberArb(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
  const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : lo + 1_000_000);
  const inRange = integer
    ? fc.bigInt({ min: BigInt(Math.ceil(lo)), max: BigInt(Math.floor(hi)) }).map(Number)
    : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(lo, hi) });
}

/** A value shaped by the schema; with ctx.odd, any part of it may be wrong in type or content. */
function fromSchema(s: Schema, ctx: Ctx, depth = 0): fc.Arbitrary<unknown> {
  const shaped = shapedBy(s, ctx, depth);
  if (!ctx.odd) return shaped;
  return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: wrongValue });
}

function shapedBy(s: Schema, ctx: Ctx, depth: number): fc.Arbitrary<unknown> {
  if (depth > 8) return fc.constant(null);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fc.oneof(...branches.map((b: Schema) => fromSchema(b, ctx, depth + 1)));
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  if ('const' in s) return fc.constant(s.const);
  const type = Array.isArray(s.type) ? s.type[0] : (s.type ?? (s.properties ? 'object' : undefined));
  switch (type) {
    case 'string':
      return stringArb(s, ctx);
    case 'integer':
    case 'number':
      return numberArb(s, type === 'integer');
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = s.minItems ?? 0;
      return fc.array(fromSchema(s.items ?? {}, ctx, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min(s.maxItems ?? 3, 3)) });
    }
    case 'object': {
      const props: Record<string, Schema> = s.properties ?? {};
      const keys = Object.keys(props);
      let obj: fc.Arbitrary<Record<string, unknown>>;
      if (keys.length === 0) {
        const values = typeof s.additionalProperties === 'object' ? s.additionalProperties : {};
        const key = ctx.odd ? fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), oddString) : fc.string({ minLength: 1, maxLength: 10 });
        obj = fc.dictionary(key, fromSchema(values, ctx, depth + 1), { maxKeys: 3 });
      } else {
        obj = fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(props[k]!, ctx, depth + 1)])), { requiredKeys: s.required ?? [] }) as fc.Arbitrary<Record<string, unknown>>;
      }
      if (!ctx.odd) return obj;
      // Sometimes an unknown field, or a required one missing.
      return fc.tuple(obj, fc.option(fc.dictionary(oddString, wrongValue, { minKeys: 1, maxKeys: 2 }), { freq: 6 }), fc.option(fc.constantFrom(...(keys.length ? keys : ['x'])), { freq: 8 })).map(
        ([o, extra, drop]) => {
          const out: Record<string, unknown> = { ...o };
          for (const [k, v] of Object.entries(extra ?? {})) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
          if (drop !== null) delete out[drop];
          return out;
        },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const deep = fc.integer({ min: 20, max: 30_000 });
/** Bodies that are not what JSON.stringify writes. */
const rawText: fc.Arbitrary<string> = fc.oneof(
  deep.map((n) => '['.repeat(n) + ']'.repeat(n)),
  deep.map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  deep.map((n) => `{"name":"A","metadata":${'{"a":'.repeat(n)}"1"${'}'.repeat(n)}}`),
  deep.map((n) => `{"lines":${'['.repeat(n)}${']'.repeat(n)}}`),
  fc.constantFrom(
    '', ' ', '{', '}', '{"name":', '{"name":"A"', 'null', '0', '""', '[]', '{}', 'true', '1e999', '-', '\ufeff{"name":"A"}',
    '{"name":"A","name":"B"}', '{"unit_amount":1e400}', '{"unit_amount":-0}', '{"unit_amount":12345678901234567890}',
    '{"name":"\\u0000"}', '{"name":"\\ud800"}', '{"\\u0000":1}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}',
    '{"name":"A"}garbage', '{"name":"A"}\u0000', "{'name':'A'}", '{"name":"\\x41"}', '{"name":"\\uZZZZ"}', '{"name":"A\n"}',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  codeUnits,
);

type Body = { text?: string; contentType?: string };
const CONTENT_TYPES = [
  'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8', 'application/json; charset=latin1', 'application/json; charset=utf-16',
  'text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/merge-patch+json', 'application/vnd.api+json',
  'application/octet-stream', 'application/jsonx', 'json', '*/*', '', 'application/json, text/plain',
];

function bodyArb(route: Route, ctx: Ctx): fc.Arbitrary<Body> {
  const contentType = fc.oneof({ weight: 10, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: fc.constant(undefined) });
  const json = (v: fc.Arbitrary<unknown>) => fc.tuple(v, contentType).map(([value, ct]) => ({ text: JSON.stringify(value) ?? 'null', contentType: ct }));
  const raw = fc.tuple(rawText, contentType).map(([text, ct]) => ({ text, contentType: ct }));
  const none = fc.constant({} as Body);
  if (route.body) {
    return fc.oneof(
      { weight: 5, arbitrary: json(fromSchema(route.body, { ...ctx, odd: false })) },
      { weight: 6, arbitrary: json(fromSchema(route.body, { ...ctx, odd: true })) },
      { weight: 1, arbitrary: json(fc.jsonValue({ maxDepth: 3 })) },
      { weight: 2, arbitrary: raw },
      { weight: 1, arbitrary: none },
    );
  }
  return fc.oneof({ weight: 8, arbitrary: none }, { weight: 1, arbitrary: json(fc.jsonValue({ maxDepth: 3 })) }, { weight: 1, arbitrary: raw });
}

/** Percent-encodes what encodeURIComponent cannot (a lone surrogate becomes its WTF-8 bytes). */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s].map((ch) => (ch.isWellFormed() ? encodeURIComponent(ch) : `%${[0xe0 | (ch.charCodeAt(0) >> 12), 0x80 | ((ch.charCodeAt(0) >> 6) & 0x3f), 0x80 | (ch.charCodeAt(0) & 0x3f)].map((b) => b.toString(16).toUpperCase()).join('%')}`)).join('');
  }
}

const URL_JUNK = ['%ZZ', '%', '%C0%AF', '%00', '%ED%A0%80', '%E2%80%AE', '%2F', '%2e%2e', '..', '%25', '%FF%FE', '+', ';', '%0A', '%F0%9F%98%80'];

/** A path parameter: an id (own, the other merchant's, random, malformed) or URL junk. */
function pathParamArb(p: Param, ctx: Ctx): fc.Arbitrary<string> {
  const prefix = prefixOf(p.schema);
  const junk = fc.oneof(
    fc.constantFrom(...URL_JUNK),
    fc.array(fc.constantFrom(...URL_JUNK, 'a', 'cus_'), { minLength: 2, maxLength: 5 }).map((a) => a.join('')),
    fc.integer({ min: 90, max: 400 }).map((n) => 'A'.repeat(n)),
    oddString.map(encode),
  );
  const value = prefix ? idArb(prefix, ctx).map(encode) : fc.oneof(fc.string({ maxLength: 20 }).map(encode), fc.constantFrom('static/index.html', 'json', 'yaml'));
  return fc.oneof({ weight: 6, arbitrary: value }, { weight: 1, arbitrary: junk });
}

function queryArb(route: Route, ctx: Ctx): fc.Arbitrary<string> {
  const known = route.query.map((p) =>
    fc.option(
      fc.oneof(
        { weight: 4, arbitrary: fromSchema(p.schema, { ...ctx, odd: false }).map((v) => `${encode(p.name)}=${encode(String(v))}`) },
        { weight: 2, arbitrary: fromSchema(p.schema, { ...ctx, odd: true }).map((v) => `${encode(p.name)}=${encode(typeof v === 'string' ? v : JSON.stringify(v) ?? '')}`) },
        { weight: 1, arbitrary: fc.constantFrom(...URL_JUNK).map((j) => `${encode(p.name)}=${j}`) },
        { weight: 1, arbitrary: fc.constant(`${encode(p.name)}=a&${encode(p.name)}=b`) },
      ),
      { freq: 2 },
    ),
  );
  const extra = fc.option(
    fc.oneof(
      fc.tuple(oddString, oddString).map(([k, v]) => `${encode(k)}=${encode(v)}`),
      fc.constantFrom(...URL_JUNK, '=', '&&', 'a[b]=1', 'a[]=1&a[]=2', '__proto__[x]=1', 'constructor[prototype][x]=1', 'limit=1&limit=2'),
    ),
    { freq: 4 },
  );
  return fc.tuple(fc.tuple(...known), extra).map(([parts, more]) => {
    const all = [...parts, more].filter((x): x is string => x !== null);
    return all.length > 0 ? `?${all.join('&')}` : '';
  });
}

const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 10 }),
  fc.integer({ min: 250, max: 600 }).map((n) => 'k'.repeat(n)),
  fc.uuid(),
  fc.constantFrom('', ' ', '\t', 'null', 'undefined', '0', '-1', 'ÅÄÖ', 'a b', 'a,b'),
);

function headersArb(a: TestMerchant): fc.Arbitrary<Record<string, string>> {
  const auth = fc.oneof(
    { weight: 14, arbitrary: fc.constant(a.auth.authorization) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        headerValue,
        fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${a.key}x`, `bearer ${a.key}`, `Bearer  ${a.key} `, `Bearer ${a.key.replace('sk_test_', 'sk_live_')}`, `Bearer ${a.key.slice(0, -1)}`),
      ),
    },
  );
  const extra = fc.constantFrom<[string, string]>(
    ['accept', 'text/html'], ['accept', 'application/xml'], ['accept-encoding', 'gzip, br'], ['content-encoding', 'gzip'], ['transfer-encoding', 'chunked'],
    ['expect', '100-continue'], ['x-http-method-override', 'DELETE'], ['x-forwarded-for', '127.0.0.1'], ['host', 'evil.example'], ['accept-language', 'sv-SE'],
    ['if-none-match', '*'], ['range', 'bytes=0-10'], ['origin', 'https://evil.example'],
  );
  return fc
    .record({
      auth,
      idempotency: fc.option(headerValue, { freq: 3 }),
      requestId: fc.option(headerValue, { freq: 6 }),
      extra: fc.option(extra, { freq: 4 }),
    })
    .map(({ auth, idempotency, requestId, extra }) => {
      const h: Record<string, string> = {};
      if (auth !== undefined) h.authorization = auth;
      if (idempotency !== null) h['idempotency-key'] = idempotency;
      if (requestId !== null) h['x-request-id'] = requestId;
      if (extra) h[extra[0]] = extra[1];
      return h;
    });
}

const ODD_METHODS = ['PUT', 'OPTIONS', 'PROPFIND', 'TRACE', 'PATCH', 'DELETE', 'POST', 'GET', 'HEAD'];

// A clean request: what a correct client would send (A's key and ids, schema-shaped values, the
// documented example body with A's ids in it). Most fuzzed requests are a clean one with one part
// made odd, so they get past the checks in front and reach the service behind them.

function cleanBody(route: Route, ctx: Ctx): fc.Arbitrary<Body> {
  if (!route.body) return fc.constant({});
  const own = { ...ctx, odd: false, ownIds: true };
  const options: Array<fc.WeightedArbitrary<unknown>> = [{ weight: 2, arbitrary: fromSchema(route.body, own) }];
  if (route.example !== undefined) {
    const text = JSON.stringify(route.example);
    const n = (text.match(ID_ANYWHERE) ?? []).length;
    const withOwnIds = fc.array(fc.nat(), { minLength: n, maxLength: n }).map((picks) => {
      let k = 0;
      return JSON.parse(
        text.replace(ID_ANYWHERE, (id) => {
          const list = ctx.a.ids.get(ID.exec(id)![1]!);
          const pickIndex = picks[k++]!;
          return list?.length ? list[pickIndex % list.length]! : id;
        }),
      );
    });
    options.push({ weight: 3, arbitrary: withOwnIds });
  }
  return fc.oneof(...options).map((v) => ({ text: JSON.stringify(v), contentType: 'application/json' }));
}

function cleanQuery(route: Route, ctx: Ctx): fc.Arbitrary<string> {
  const own = { ...ctx, odd: false, ownIds: true };
  const parts = route.query.map((p) => fc.option(fromSchema(p.schema, own).map((v) => `${encode(p.name)}=${encode(String(v))}`), { freq: 3 }));
  return fc.tuple(...parts).map((all) => {
    const present = all.filter((x): x is string => x !== null);
    return present.length > 0 ? `?${present.join('&')}` : '';
  });
}

function cleanHeaders(a: TestMerchant): fc.Arbitrary<Record<string, string>> {
  return fc.option(fc.uuid(), { freq: 3 }).map((key) => ({ ...a.auth, ...(key ? { 'idempotency-key': key } : {}) }));
}

const PARTS = ['method', 'path', 'query', 'body', 'headers'] as const;
type Part = (typeof PARTS)[number];

function requestArb(route: Route, ctx: Ctx, a: TestMerchant): fc.Arbitrary<Req> {
  const odd = fc.oneof(
    { weight: 2, arbitrary: fc.constant(new Set<Part>()) },
    { weight: 5, arbitrary: fc.constantFrom(...PARTS).map((p) => new Set<Part>([p])) },
    { weight: 2, arbitrary: fc.subarray([...PARTS], { minLength: 2 }).map((l) => new Set<Part>(l)) },
  );
  const own = { ...ctx, ownIds: true };
  return odd.chain((parts) =>
    fc.tuple(
      parts.has('method') ? fc.constantFrom(...ODD_METHODS) : route.method === 'GET' ? fc.constantFrom('GET', 'GET', 'GET', 'HEAD') : fc.constant(route.method),
      fc.tuple(...route.path_params.map((p) => (parts.has('path') ? pathParamArb(p, ctx) : prefixOf(p.schema) ? idArb(prefixOf(p.schema)!, own) : pathParamArb(p, ctx)))),
      parts.has('query') ? queryArb(route, ctx) : cleanQuery(route, ctx),
      parts.has('body') ? bodyArb(route, ctx) : cleanBody(route, ctx),
      parts.has('headers') ? headersArb(a) : cleanHeaders(a),
    ),
  ).map(([m, values, query, body, headers]) => {
    let i = 0;
    const path = route.path.replace(/\{\w+\}|\*/g, () => values[i++] ?? '');
    const h = { ...headers };
    if (body.contentType !== undefined && body.text !== undefined) h['content-type'] = body.contentType;
    const pathIds = route.path_params.map((_, j) => {
      try {
        return decodeURIComponent(values[j] ?? '');
      } catch {
        return undefined;
      }
    });
    // Whether every path parameter is what its route expects (the right kind of id).
    const pathValid = route.path_params.every((p, j) => pathIds[j] !== undefined && (!p.schema.pattern || new RegExp(p.schema.pattern).test(pathIds[j]!)));
    const readsBody = route.body !== undefined && m === route.method;
    return { method: m, url: path + query, headers: h, ...(body.text !== undefined ? { payload: body.text } : {}), pathIds, pathValid, readsBody };
  });
}

// ---------------------------------------------------------------------------------------------
// Properties.

const LOCATIONS = new Set<string>(FIELD_LOCATIONS);

/** What is wrong with this answer, if anything (an empty list: nothing). */
function judge(req: Req, res: Res, ctx: Ctx): string[] {
  const wrong: string[] = [];
  if (res.status >= 500) wrong.push(`answered ${res.status}`);
  if (!res.headers['request-id']) wrong.push('no request-id header');
  const isV1 = req.url.startsWith('/v1');
  if (res.status >= 300 && res.status < 400 && isV1) wrong.push(`a redirect (${res.status}) from /v1`);
  let problem: any;
  if (res.status >= 400) {
    if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) wrong.push(`content-type ${res.headers['content-type']}`);
    if (req.method !== 'HEAD') {
      problem = res.json;
      const entry = PROBLEMS[problem?.code as keyof typeof PROBLEMS];
      if (!entry) wrong.push(`code ${problem?.code} is not in the catalogue`);
      else {
        if (problem.type !== PROBLEM_BASE + problem.code) wrong.push(`type ${problem.type} does not match code ${problem.code}`);
        if (entry.status !== res.status || problem.status !== res.status) wrong.push(`status ${res.status} / body ${problem.status} / catalogue ${entry.status}`);
        if (problem.title !== entry.title) wrong.push(`title ${problem.title}`);
      }
      if (typeof problem?.detail !== 'string' || problem.detail.length === 0) wrong.push('no detail');
      if (problem?.errors !== undefined) {
        const ok = Array.isArray(problem.errors) && problem.errors.every((e: any) => typeof e.field === 'string' && LOCATIONS.has(e.location) && typeof e.message === 'string');
        if (!ok) wrong.push(`errors malformed: ${JSON.stringify(problem.errors)}`);
      }
      if (/FST_ERR|\bat \w+ \(|node_modules|SELECT |relation "/.test(res.body)) wrong.push('framework code, stack or SQL in the body');
    }
  }
  // Tenancy: B's ids and data appear only where A's own request put them.
  const sent = `${req.url}\n${req.payload ?? ''}\n${JSON.stringify(req.headers)}`;
  for (const marker of ctx.b.markers) {
    if (res.body.includes(marker) && !sent.includes(marker) && !sent.includes(encode(marker))) wrong.push(`leaks merchant B's ${marker}`);
  }
  const authenticated = req.headers.authorization === undefined ? false : true;
  const foreign = req.pathIds.some((id) => id !== undefined && ctx.b.all.has(id));
  if (foreign && authenticated && res.status < 300) wrong.push(`answered ${res.status} for merchant B's id`);
  if (foreign && req.pathValid && res.status !== 404 && res.status !== 401 && res.status !== 413 && res.status !== 415 && req.method !== 'HEAD') {
    const beforeLookup =
      (res.status === 400 && !(problem?.errors ?? []).some((e: any) => e.location === 'path')) ||
      problem?.code === 'idempotency_key_reused' ||
      problem?.code === 'route_not_found';
    if (!beforeLookup) wrong.push(`answered ${res.status} ${problem?.code} (not 404) for merchant B's id`);
  }
  if (res.status < 300 && req.readsBody && req.payload) {
    for (const id of ctx.b.all) if (req.payload.includes(id)) wrong.push(`accepted merchant B's ${id} in the body`);
  }
  return wrong;
}

const describe = (req: Req) =>
  `${req.method} ${req.url.length > 300 ? `${req.url.slice(0, 300)}…(${req.url.length})` : req.url}\n  headers: ${JSON.stringify(req.headers).slice(0, 400)}\n  body: ${req.payload === undefined ? '(none)' : JSON.stringify(req.payload.length > 400 ? `${req.payload.slice(0, 400)}…(${req.payload.length})` : req.payload)}`;

// ---------------------------------------------------------------------------------------------

t.test('fuzz: every route, two merchants', async (t) => {
  const started = Date.now();
  const { app, merchant, logLines, services, database } = await buildTestApp(t);
  const a = await merchant('Fuzz A AB');
  const b = await merchant('Hemliga B AB');
  const ctx: Ctx = { a: newPool(), b: newPool(), odd: false };
  ctx.b.markers.add('Hemliga B AB');
  await seed(app, b, 'BBolaget', ctx.b);
  await seed(app, a, 'AFirman', ctx.a);
  await seedMessages(app, services, database, b, 'BBolaget', ctx.b);
  await seedMessages(app, services, database, a, 'AFirman', ctx.a);
  await app.ready();
  // Routes that end an object's life run last, so the objects the others work on are still there.
  // Undoing routes (resume, reactivate, unarchive) come after the routes they undo.
  const late = (r: Route) =>
    r.method === 'DELETE' ? 3 : /\/(resume|reactivate|unarchive)$/.test(r.path) ? 2 : /\/(cancel|void|mark-uncollectible|revoke|archive|pause)$/.test(r.path) ? 1 : 0;
  const routes = routesOf(app).sort((x, y) => late(x) - late(y));
  // And paths that are no route at all, under /v1 and outside it.
  for (const path of ['/v1/*', '/*']) routes.push({ method: 'GET', path, path_params: [{ name: '*', in: 'path', schema: { type: 'string' } }], query: [], documented: false });
  t.comment(`FUZZ_SEED=${SEED} (set it to reproduce), ${RUNS} requests per route, ${routes.length} routes`);

  const printed = printedRoutes(app);
  for (const r of routes.filter((x) => x.documented)) {
    t.ok(printed.some((p) => p.path === r.path && p.methods.includes(r.method)), `the router has ${r.method} ${r.path}`);
  }
  t.ok(routes.length >= 72, `found ${routes.length} routes`);

  // B's objects as B sees them, to compare after the fuzz.
  const views = routes.filter((r) => r.method === 'GET' && r.documented && r.path.startsWith('/v1') && r.path_params.length <= 1);
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const r of views) {
      const prefix = prefixOf(r.path_params[0]?.schema);
      const ids = r.path_params.length === 0 ? [''] : (ctx.b.ids.get(prefix ?? '') ?? []);
      for (const id of ids) {
        const url = r.path.replace(/\{\w+\}/, id) + (r.path_params.length === 0 && r.query.some((q) => q.name === 'limit') ? '?limit=100' : '');
        const res = await call(app, { method: 'GET', url, headers: b.auth });
        // A PDF (also inside an .eml) carries the time it was rendered.
        if (!/\/(pdf|eml)$/.test(url)) out[url] = `${res.status} ${res.body.replace(/"request_id":"req_[0-9A-Z]+"/, '')}`;
      }
    }
    return out;
  };
  const before = await snapshot();

  // Learn A's new objects as the fuzz creates them, so later requests reach deeper states.
  const excludeA = new Set([a.keyId]);
  let requests = 0;
  const statuses = new Map<number, number>();
  const reached = new Set<string>(); // routes that answered 2xx at least once
  const failures: string[] = [];
  const took: Array<[string, number]> = [];
  for (const [i, route] of routes.entries()) {
    const routeStarted = Date.now();
    const result = await fc.check(
      fc.asyncProperty(requestArb(route, ctx, a), async (req) => {
        requests++;
        const res = await call(app, { method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status < 300) reached.add(`${route.method} ${route.path}`);
        if (res.status < 300 && req.headers.authorization === a.auth.authorization && res.json) collect(ctx.a, res.json, excludeA);
        // inject() answers a request that never reaches the database without giving the event
        // loop a turn; hundreds in a row starve timers and sockets (pg-boss's LISTEN heartbeat
        // then times out). A server's requests arrive on sockets, each its own turn: so here too.
        await new Promise((resolve) => setImmediate(resolve));
        const wrong = judge(req, res, ctx);
        if (wrong.length > 0) throw new Error(`${wrong.join('; ')}\n  ${describe(req)}\n  answer: ${res.status} ${res.body.slice(0, 500)}`);
      }),
      { seed: SEED + i, numRuns: RUNS, endOnFailure: true },
    );
    took.push([`${route.method} ${route.path}`, Date.now() - routeStarted]);
    if (result.failed) {
      failures.push(`${route.method} ${route.path}`);
      t.fail(`${route.method} ${route.path} (FUZZ_SEED=${SEED}, route seed ${SEED + i}):\n${(result.errorInstance as Error)?.message ?? String(result.errorInstance)}`);
    }
  }
  t.comment(`${requests} fuzzed requests in ${((Date.now() - started) / 1000).toFixed(1)} s; failing routes: ${failures.length === 0 ? 'none' : failures.join(', ')}`);
  t.comment(`slowest: ${took.sort((x, y) => y[1] - x[1]).slice(0, 6).map(([r, ms]) => `${r} ${ms} ms`).join(', ')}`);
  t.comment(`statuses: ${[...statuses].sort((x, y) => x[0] - y[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  t.comment(`routes never answering 2xx: ${routes.filter((r) => !reached.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`).join(', ') || 'none'}`);
  t.equal(failures.length, 0, 'no route broke a property');

  // Merchant A naming each of B's ids where a route expects one: 404, every time.
  for (const r of routes.filter((x) => x.documented && x.path_params.length > 0)) {
    const prefixes = r.path_params.map((p) => prefixOf(p.schema));
    if (prefixes.some((p) => !p || !ctx.b.ids.get(p)?.length)) continue;
    // Each parameter in turn is B's; the others are A's own where A has one.
    for (let foreign = 0; foreign < prefixes.length; foreign++) {
      const values = prefixes.map((p, j) => (j === foreign ? ctx.b.ids.get(p!)![0]! : (ctx.a.ids.get(p!)?.[0] ?? ctx.b.ids.get(p!)![0]!)));
      let j = 0;
      const url = r.path.replace(/\{\w+\}/g, () => values[j++]!);
      const payload = r.body ? JSON.stringify(r.example ?? {}) : undefined;
      const res = await call(app, { method: r.method as 'GET', url, headers: { ...a.auth, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload } : {}) });
      t.equal(res.status, 404, `${r.method} ${r.path} as A with B's ${prefixes[foreign]}: ${res.status} ${res.body.slice(0, 200)}`);
      t.equal(res.json?.code, 'not_found');
      for (const marker of ctx.b.markers) if (!url.includes(marker) && res.body.includes(marker)) t.fail(`leaks ${marker}`);
    }
  }
  // B's ids in the body of A's writes: 404 (or a 400 that never looked), never accepted.
  for (const r of routes.filter((x) => x.documented && x.body && x.example && x.method !== 'GET')) {
    const text = JSON.stringify(r.example);
    const idsInExample = [...new Set(text.match(ID_ANYWHERE) ?? [])];
    for (const exampleId of idsInExample) {
      const prefix = ID.exec(exampleId)![1]!;
      const theirs = ctx.b.ids.get(prefix)?.[0];
      if (!theirs) continue;
      let payload = text.replaceAll(exampleId, theirs);
      for (const other of idsInExample) if (other !== exampleId) payload = payload.replaceAll(other, ctx.a.ids.get(ID.exec(other)![1]!)?.[0] ?? other);
      const ids = r.path_params.map((p) => ctx.a.ids.get(prefixOf(p.schema) ?? '')?.[0] ?? 'x');
      let j = 0;
      const url = r.path.replace(/\{\w+\}/g, () => ids[j++]!);
      const res = await call(app, { method: r.method as 'POST', url, headers: { ...a.auth, 'content-type': 'application/json' }, payload });
      t.ok(res.status === 404 || res.status === 400, `${r.method} ${r.path} as A naming B's ${prefix} in the body: ${res.status} ${res.body.slice(0, 200)}`);
      for (const marker of ctx.b.markers) if (!payload.includes(marker) && res.body.includes(marker)) t.fail(`leaks ${marker}`);
    }
  }

  // Nothing A did touched B.
  const after = await snapshot();
  t.same(after, before, "merchant B's objects are exactly as before");

  // Still healthy.
  const ready = await call(app, { method: 'GET', url: '/readyz' });
  t.equal(ready.status, 200, 'GET /readyz is 200 afterwards');
  for (const m of [a, b]) {
    const created = await call(app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'Efter Fuzz' } });
    t.equal(created.status, 201, 'a normal create still works');
  }
  const errors = logLines.filter((l) => l.includes('"level":50'));
  t.equal(errors.length, 0, `no error was logged${errors.length ? `: ${errors.slice(0, 3).join('\n')}` : ''}`);
});
