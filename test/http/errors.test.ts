import t from 'tap';
import { Ajv } from 'ajv';
import { Type } from 'typebox';
import { fieldErrors } from '../../src/http/problem.ts';
import { buildTestApp, call } from '../helpers/app.ts';

const P = 'https://docs.omtanke.se/problems/';

t.test('bad input: clear 4xx problem+json, nothing written', async (t) => {
  const { app, merchant, database } = await buildTestApp(t);
  const m = await merchant();
  const json = { ...m.auth, 'content-type': 'application/json' };
  const count = async () => (await database.pool.query('select count(*)::int as n from customers')).rows[0].n as number;

  const cases: Array<{ name: string; req: Parameters<typeof call>[1]; status: number; type: string; field?: string }> = [
    { name: 'broken JSON', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name": "A",' }, status: 400, type: 'invalid_json' },
    { name: 'JSON that is not an object', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '[1,2]' }, status: 400, type: 'validation_failed' },
    { name: 'empty body with JSON content type', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '' }, status: 400, type: 'validation_failed' },
    { name: 'wrong type (number for string)', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 123 } }, status: 400, type: 'validation_failed', field: 'name' },
    { name: 'wrong type (string for object)', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', address: 'Storgatan 1' } }, status: 400, type: 'validation_failed', field: 'address' },
    { name: 'wrong enum', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', type: 'alien' } }, status: 400, type: 'validation_failed', field: 'type' },
    { name: 'missing required field', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { email: 'a@example.se' } }, status: 400, type: 'validation_failed', field: 'name' },
    { name: 'unknown field', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', nmae: 'typo' } }, status: 400, type: 'validation_failed', field: 'nmae' },
    { name: 'unknown nested field', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', address: { line1: 'x', postal_code: '11451', city: 'S', zip: 1 } } }, status: 400, type: 'validation_failed', field: 'address.zip' },
    { name: 'bad e-mail', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', email: 'not-an-email' } }, status: 400, type: 'validation_failed', field: 'email' },
    { name: 'bad Swedish postal code', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', address: { line1: 'x', postal_code: '1145', city: 'S' } } }, status: 400, type: 'validation_failed', field: 'address.postal_code' },
    { name: 'bad VAT number', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', vat_number: 'SE556036079401' } }, status: 400, type: 'validation_failed', field: 'vat_number' },
    { name: 'too much metadata', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) } }, status: 400, type: 'validation_failed', field: 'metadata' },
    { name: 'metadata value too long', req: { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', metadata: { k: 'x'.repeat(501) } } }, status: 400, type: 'validation_failed', field: 'metadata.k' },
    { name: 'oversized body', req: { method: 'POST', url: '/v1/customers', headers: json, payload: JSON.stringify({ name: 'A', metadata: { k: 'x'.repeat(100_000) } }) }, status: 413, type: 'payload_too_large' },
    { name: 'form-encoded body', req: { method: 'POST', url: '/v1/customers', headers: { ...m.auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=A' }, status: 415, type: 'unsupported_media_type' },
    { name: 'malformed id in path', req: { method: 'GET', url: '/v1/customers/not-an-id', headers: m.auth }, status: 400, type: 'validation_failed', field: 'id' },
    { name: 'id of another type in path', req: { method: 'GET', url: '/v1/customers/in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', headers: m.auth }, status: 400, type: 'validation_failed', field: 'id' },
    { name: 'well-formed unknown id', req: { method: 'GET', url: '/v1/customers/cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', headers: m.auth }, status: 404, type: 'not_found' },
    { name: 'unknown route', req: { method: 'GET', url: '/v1/nothing-here', headers: m.auth }, status: 404, type: 'route_not_found' },
    { name: 'unknown method on a route', req: { method: 'PUT', url: '/v1/customers', headers: m.auth, payload: {} }, status: 404, type: 'route_not_found' },
    { name: 'bad Idempotency-Key', req: { method: 'POST', url: '/v1/customers', headers: { ...m.auth, 'idempotency-key': 'x'.repeat(300) }, payload: { name: 'A' } }, status: 400, type: 'invalid_idempotency_key' },
    { name: 'prototype poisoning', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"A","__proto__":{"x":1}}' }, status: 400, type: 'invalid_json' },
  ];
  for (const c of cases) {
    const r = await call(app, c.req);
    t.equal(r.status, c.status, `${c.name}: status`);
    t.equal(r.json?.type, P + c.type, `${c.name}: type`);
    t.match(r.headers['content-type'], /^application\/problem\+json/, `${c.name}: content type`);
    t.ok(r.json?.title && r.json?.detail && r.json?.status === c.status, `${c.name}: title, detail, status`);
    if (c.field) {
      t.ok(r.json.errors?.some((e: { field: string }) => e.field === c.field), `${c.name}: names field ${c.field}: ${JSON.stringify(r.json.errors)}`);
    }
  }
  t.equal(await count(), 0, 'no bad request wrote a customer');
});

t.test('Swedish identity numbers are checked', async (t) => {
  const { app, merchant } = await buildTestApp(t);
  const m = await merchant();
  const post = (payload: object) => call(app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'N', ...payload } });
  const valid: Array<[object, string, string]> = [
    [{ national_id: '811218-9876' }, 'personnummer', '********9876'],
    [{ national_id: '198112189876' }, 'personnummer', '********9876'],
    [{ national_id: '19811218-9876' }, 'personnummer', '********9876'],
    [{ national_id: '701063-2391' }, 'samordningsnummer', '********2391'],
    [{ type: 'company', national_id: '556036-0793' }, 'organisationsnummer', '******-0793'],
    [{ type: 'company', national_id: '202100-5489' }, 'organisationsnummer', '******-5489'],
    [{ type: 'company', national_id: '19811218-9876' }, 'personnummer', '********9876'],
  ];
  for (const [payload, kind, masked] of valid) {
    const r = await post(payload);
    t.equal(r.status, 201, JSON.stringify(payload));
    t.equal(r.json.national_id_type, kind);
    t.equal(r.json.national_id, masked);
  }
  const invalid: Array<[object, RegExp]> = [
    [{ national_id: '19811218-9875' }, /check digit/],
    [{ national_id: '19990230-1234' }, /date/],
    [{ national_id: '20230229-1238' }, /date/],
    [{ national_id: '8112189876123' }, /digits/],
    [{ national_id: '81121898765' }, /digits/],
    [{ type: 'company', national_id: '556036-0794' }, /check digit/],
    [{ type: 'company', national_id: '55603607' }, /./],
    [{ national_id: '556036-0793' }, /organisationsnummer/],
    [{ national_id: 'abcdefghij' }, /./],
  ];
  for (const [payload, message] of invalid) {
    const r = await post(payload);
    t.equal(r.status, 400, JSON.stringify(payload));
    t.equal(r.json.type, P + 'validation_failed');
    const e = r.json.errors?.find((x: { field: string }) => x.field === 'national_id');
    t.ok(e, 'names national_id');
    t.match(e?.message, message, JSON.stringify(payload));
    t.notOk(r.body.includes((payload as { national_id: string }).national_id), 'the number is not echoed back');
  }
});

t.test('server errors hide their details', async (t) => {
  const { app, merchant, database, logLines } = await buildTestApp(t);
  const m = await merchant();
  await database.pool.query('alter table customers rename to customers_gone');
  const r = await call(app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A' } });
  t.equal(r.status, 500);
  t.equal(r.json.type, P + 'internal_error');
  t.ok(r.json.request_id, 'a request id to quote');
  t.notMatch(r.body, /customers_gone|relation|stack|at \w+ \(/, 'no SQL, no stack trace');
  t.ok(logLines.some((l) => l.includes('"level":50') && l.includes(r.json.request_id)), 'the error is logged with the request id');
});

t.test('text PostgreSQL cannot store (NUL, unpaired surrogates) is 400 naming the field, never 500', async (t) => {
  const { app, merchant, database, logLines } = await buildTestApp(t);
  const m = await merchant();
  const json = { ...m.auth, 'content-type': 'application/json' };
  const customer = await call(app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'Kund AB' } });
  t.equal(customer.status, 201);
  const cus = customer.json.id as string;
  const count = async (table: string) => (await database.pool.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;
  const line = { description: 'Installation', quantity: 1, unit_amount: 1000, vat_rate: 25 };

  // Raw JSON text, so the escapes reach the server exactly as a client would send them.
  const cases: Array<{ name: string; req: Parameters<typeof call>[1]; field: string; location: string; message: RegExp }> = [
    { name: 'NUL in a top-level field', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"A\\u0000B"}' }, field: 'name', location: 'body', message: /NUL/ },
    { name: 'lone high surrogate', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"A\\ud800"}' }, field: 'name', location: 'body', message: /surrogate \(\\ud800\)/ },
    { name: 'lone low surrogate', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"\\udc00B"}' }, field: 'name', location: 'body', message: /surrogate \(\\udc00\)/ },
    { name: 'NUL in a nested field', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"A","address":{"line1":"Gatan\\u00001","postal_code":"11451","city":"S"}}' }, field: 'address.line1', location: 'body', message: /NUL/ },
    { name: 'NUL in a metadata value', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"A","metadata":{"crm":"\\u0000"}}' }, field: 'metadata.crm', location: 'body', message: /NUL/ },
    { name: 'NUL in an object key', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"A","metadata":{"k\\u0000":"v"}}' }, field: 'metadata.k\\u0000', location: 'body', message: /field name .*NUL/ },
    { name: 'surrogate in an object key', req: { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"A","metadata":{"\\udfffk":"v"}}' }, field: 'metadata.\\udfffk', location: 'body', message: /field name .*surrogate/ },
    {
      name: 'NUL in an array item',
      req: { method: 'POST', url: '/v1/invoices', headers: json, payload: JSON.stringify({ customer: cus, lines: [line, { ...line, description: 'x\u0000y' }] }) },
      field: 'lines.1.description',
      location: 'body',
      message: /NUL/,
    },
    { name: 'NUL in an update', req: { method: 'PATCH', url: `/v1/customers/${cus}`, headers: json, payload: '{"name":"\\u0000"}' }, field: 'name', location: 'body', message: /NUL/ },
    { name: 'NUL in a query parameter', req: { method: 'GET', url: '/v1/customers?email=a%00b', headers: m.auth }, field: 'email', location: 'query', message: /NUL/ },
    { name: 'NUL in a query parameter name', req: { method: 'GET', url: '/v1/customers?x%00=1', headers: m.auth }, field: 'x\\u0000', location: 'query', message: /field name/ },
    { name: 'NUL in a path parameter', req: { method: 'GET', url: '/v1/customers/cus_%00', headers: m.auth }, field: 'id', location: 'path', message: /NUL/ },
  ];
  for (const c of cases) {
    const r = await call(app, c.req);
    t.equal(r.status, 400, `${c.name}: status`);
    t.equal(r.json?.type, P + 'validation_failed', `${c.name}: type`);
    t.match(r.headers['content-type'], /^application\/problem\+json/, `${c.name}: content type`);
    t.ok(
      r.json?.errors?.some((e: { field: string; location: string; message: string }) => e.field === c.field && e.location === c.location && c.message.test(e.message)),
      `${c.name}: names ${c.location} field ${c.field}: ${JSON.stringify(r.json?.errors)}`,
    );
  }
  t.equal(await count('customers'), 1, 'no bad request wrote a customer');
  t.equal(await count('invoices'), 0, 'no bad request wrote an invoice');
  t.equal((await call(app, { method: 'GET', url: `/v1/customers/${cus}`, headers: m.auth })).json.name, 'Kund AB', 'the update wrote nothing');
  // Deeply nested JSON is refused before any recursive code (validation, the idempotency
  // fingerprint) sees it: this body once overflowed the stack of an action route.
  const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  const archive = await call(app, { method: 'POST', url: `/v1/customers/${cus}/archive`, headers: { ...json, 'idempotency-key': 'deep-1' }, payload: deep });
  t.equal(archive.status, 400, 'deep nesting: 400');
  t.equal(archive.json?.type, P + 'validation_failed');
  t.match(archive.json?.errors?.[0], { field: /^0(\.0)*$/, location: 'body', message: /nested deeper than 32 levels/ });
  const nestedMeta = await call(app, { method: 'POST', url: '/v1/customers', headers: json, payload: `{"name":"A","metadata":${'{"a":'.repeat(40)}"x"${'}'.repeat(40)}}` });
  t.equal(nestedMeta.status, 400, 'deep nesting in a field: 400');
  t.match(nestedMeta.json?.errors?.[0]?.field, /^metadata\.a(\.a)*$/, 'names the path');
  const shallow = await call(app, { method: 'POST', url: '/v1/customers', headers: json, payload: `{"name":"A","metadata":${'{"a":'.repeat(20)}"x"${'}'.repeat(20)}}` });
  t.equal(shallow.status, 400, 'nesting within the limit reaches validation');
  t.equal(shallow.json?.errors?.[0]?.field, 'metadata.a', 'and validation names the field');
  t.notOk(logLines.some((l) => l.includes('"level":50')), 'no error was logged');

  // Paired surrogates (emoji) and other unusual text are fine.
  const ok = await call(app, { method: 'POST', url: '/v1/customers', headers: json, payload: '{"name":"\\ud83d\\ude00 \\u05e9\\u05dc\\u05d5\\u05dd \\u202e"}' });
  t.equal(ok.status, 201, 'emoji, RTL text and bidi controls are stored');
  t.equal(ok.json.name, '😀 שלום \u202e');
});

t.test('framework errors answer from the problem catalogue', async (t) => {
  const { app, merchant } = await buildTestApp(t);
  const m = await merchant();
  const cases: Array<{ name: string; req: Parameters<typeof call>[1]; status: number; type: string; location?: string }> = [
    { name: 'bad percent-encoding', req: { method: 'GET', url: '/v1/customers/%ZZ', headers: m.auth }, status: 400, type: 'validation_failed', location: 'path' },
    { name: 'overlong UTF-8', req: { method: 'GET', url: '/v1/customers/%C0%AF', headers: m.auth }, status: 400, type: 'validation_failed', location: 'path' },
    { name: 'a lone %', req: { method: 'GET', url: '/v1/customers/%', headers: m.auth }, status: 400, type: 'validation_failed', location: 'path' },
    { name: 'bad percent-encoding in an action path', req: { method: 'POST', url: '/v1/customers/%E0%A4%A/archive', headers: m.auth }, status: 400, type: 'validation_failed', location: 'path' },
    { name: 'bad percent-encoding without a key', req: { method: 'GET', url: '/v1/customers/%ZZ' }, status: 400, type: 'validation_failed', location: 'path' },
    { name: 'over-long path parameter', req: { method: 'GET', url: `/v1/customers/cus_${'A'.repeat(200)}`, headers: m.auth }, status: 400, type: 'validation_failed', location: 'path' },
    { name: 'over-long parameter on an action route', req: { method: 'POST', url: `/v1/invoices/${'x'.repeat(101)}/finalize`, headers: m.auth }, status: 400, type: 'validation_failed', location: 'path' },
    { name: 'text/plain body', req: { method: 'POST', url: '/v1/customers', headers: { ...m.auth, 'content-type': 'text/plain' }, payload: '{"name":"A"}' }, status: 415, type: 'unsupported_media_type' },
    { name: 'unknown method', req: { method: 'PROPFIND', url: '/v1/customers', headers: m.auth }, status: 404, type: 'route_not_found' },
    { name: 'OPTIONS', req: { method: 'OPTIONS', url: '/v1/customers', headers: m.auth }, status: 404, type: 'route_not_found' },
    { name: 'Content-Length shorter than the body', req: { method: 'POST', url: '/v1/customers', headers: { ...m.auth, 'content-type': 'application/json', 'content-length': '3' }, payload: '{"name":"A"}' }, status: 400, type: 'validation_failed' },
  ];
  for (const c of cases) {
    const r = await call(app, c.req);
    t.equal(r.status, c.status, `${c.name}: status`);
    t.match(r.headers['content-type'], /^application\/problem\+json/, `${c.name}: content type`);
    t.equal(r.json?.type, P + c.type, `${c.name}: type`);
    t.ok(r.json?.title && r.json?.detail && r.json?.status === c.status && r.json?.code === c.type, `${c.name}: title, detail, status, code`);
    t.ok(r.headers['request-id'], `${c.name}: request-id header`);
    t.notMatch(r.body, /FST_ERR/, `${c.name}: no Fastify error code`);
    if (c.location) t.ok(r.json?.errors?.some((e: { location: string }) => e.location === c.location), `${c.name}: location ${c.location}`);
  }

  // HEAD answers the GET's status and headers, without a body.
  for (const [url, status] of [['/v1/customers/not-an-id', 400], ['/v1/customers/%ZZ', 400], ['/v1/nothing-here', 404]] as const) {
    const r = await call(app, { method: 'HEAD', url, headers: m.auth });
    t.equal(r.status, status, `HEAD ${url}: status`);
    t.match(r.headers['content-type'], /^application\/problem\+json/, `HEAD ${url}: content type`);
    t.equal(r.body, '', `HEAD ${url}: no body`);
  }

  // Requests Node's HTTP parser refuses never reach Fastify's routes: check them on a socket.
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as import('node:net').AddressInfo;
  const { connect } = await import('node:net');
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(request));
      let out = '';
      socket.on('data', (d) => (out += d.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
  const bad = [
    ['non-numeric Content-Length', `POST /v1/customers HTTP/1.1\r\nHost: x\r\n${'Authorization: ' + m.auth.authorization}\r\nContent-Length: abc\r\n\r\n{}`],
    ['two different Content-Lengths', 'POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['a header without a colon', 'GET /v1/customers HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n'],
    ['not HTTP at all', 'HELLO\r\n\r\n'],
    ['headers over the size limit', `GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  ];
  for (const [name, request] of bad) {
    const res = await raw(request!);
    t.match(res, /^HTTP\/1\.1 400 /, `${name}: 400`);
    t.match(res, /content-type: application\/problem\+json/i, `${name}: problem+json`);
    const body = JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4));
    t.equal(body.type, P + 'validation_failed', `${name}: type`);
    t.ok(body.title && body.detail && body.status === 400 && body.code === 'validation_failed', `${name}: title, detail, status, code`);
  }
});

t.test('enum and literal-union errors list the allowed values', async (t) => {
  const { app, merchant } = await buildTestApp(t);
  const m = await merchant();
  const product = await call(app, { method: 'POST', url: '/v1/products', headers: m.auth, payload: { name: 'Pro' } });
  const errorOf = async (req: Parameters<typeof call>[1], field: string) => {
    const r = await call(app, req);
    t.equal(r.status, 400, `${req.method} ${req.url}: 400`);
    const e = r.json?.errors?.find((x: { field: string }) => x.field === field);
    t.ok(e, `names ${field}: ${JSON.stringify(r.json?.errors)}`);
    t.equal(r.json?.errors?.filter((x: { field: string }) => x.field === field).length, 1, `one error for ${field}`);
    return e?.message as string;
  };
  const price = (extra: object) => ({
    method: 'POST' as const,
    url: '/v1/prices',
    headers: m.auth,
    payload: { product: product.json.id, unit_amount: 100, type: 'recurring', recurring: { interval: 'month', interval_count: 1 }, ...extra },
  });
  t.equal(await errorOf(price({ recurring: { interval: 'week', interval_count: 1 } }), 'recurring.interval'), 'must be one of: month, quarter, year');
  t.equal(await errorOf(price({ recurring: { interval: 7, interval_count: 1 } }), 'recurring.interval'), 'must be one of: month, quarter, year');
  t.equal(await errorOf(price({ vat_rate: 20 }), 'vat_rate'), 'must be one of: 25, 12, 6, 0');
  t.equal(await errorOf(price({ type: 'sometimes' }), 'type'), 'must be one of: recurring, one_time');
  t.equal(await errorOf({ method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', type: 'alien' } }, 'type'), 'must be one of: person, company');
  t.equal(await errorOf({ method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', locale: 'de' } }, 'locale'), 'must be one of: sv, en');
  // Type.Enum compiles to `enum`: a query parameter.
  t.match(await errorOf({ method: 'GET', url: '/v1/invoices?status=nope', headers: m.auth }, 'status'), /^must be one of: draft, open, .*paid/);
});

t.test('fieldErrors: literals of nested and nullable unions, and other branches', async (t) => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const schema = Type.Object({
    plain: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
    nullable: Type.Optional(Type.Union([Type.Union([Type.Literal('x'), Type.Literal('y')]), Type.Null()])),
    mixed: Type.Optional(Type.Union([Type.Literal('now'), Type.Integer()])),
    single: Type.Optional(Type.Literal('list')),
    enumed: Type.Optional(Type.Enum(['month', 'quarter'])),
    text: Type.Optional(Type.Union([Type.String({ maxLength: 2 }), Type.Null()])),
  });
  const validate = ajv.compile(schema);
  const messages = (data: object) => {
    t.notOk(validate(data));
    return Object.fromEntries(fieldErrors(validate.errors as never, 'body').map((e) => [e.field, e.message]));
  };
  t.same(messages({ plain: 'c', nullable: 'z', mixed: 'later', single: 'lis', enumed: 'week', text: 'long' }), {
    plain: 'must be one of: a, b',
    nullable: 'must be one of: x, y (or null)',
    mixed: 'must be one of: now (or an integer)',
    single: 'must be one of: list',
    enumed: 'must be one of: month, quarter',
    text: 'must NOT have more than 2 characters',
  });
  t.same(messages({ plain: 1, nullable: 2, single: 3, enumed: 4 }), {
    plain: 'must be one of: a, b',
    nullable: 'must be one of: x, y (or null)',
    single: 'must be one of: list',
    enumed: 'must be one of: month, quarter',
  });
});
