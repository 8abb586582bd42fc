import t from 'tap';
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
