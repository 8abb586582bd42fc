import t from 'tap';
import { buildTestApp, call } from '../helpers/app.ts';

t.test('logs carry a request id and never an API key or a national id', async (t) => {
  const { app, merchant, logLines, database } = await buildTestApp(t);
  const m = await merchant();
  const pnr = '19811218-9876';
  const digits = '198112189876';

  const created = await call(app, { method: 'POST', url: '/v1/customers', headers: { ...m.auth, 'x-request-id': 'trace-abc-123' }, payload: { name: 'Anna', national_id: pnr } });
  t.equal(created.status, 201);
  t.equal(created.headers['request-id'], 'trace-abc-123', 'the caller’s request id is honoured');
  await call(app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'Bad', national_id: '19811218-9875' } });
  await call(app, { method: 'PATCH', url: `/v1/customers/${created.json.id}`, headers: m.auth, payload: { national_id: pnr, nmae: 1 } });
  await call(app, { method: 'GET', url: '/v1/customers', headers: { authorization: `Bearer ${m.key.slice(0, -1)}X` } });
  // A failing query: drizzle's error text would contain the parameters, national id included.
  await database.pool.query('alter table customers add constraint no_names check (name <> $$Boom$$) not valid');
  const failed = await call(app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'Boom', national_id: pnr } });
  t.equal(failed.status, 500);

  const all = logLines.join('\n');
  t.ok(logLines.length > 8, 'requests were logged');
  t.ok(logLines.some((l) => l.includes('"reqId":"trace-abc-123"')), 'log lines carry the request id');
  t.ok(all.includes('"level":50'), 'the server error was logged');
  t.notOk(all.includes(m.key), 'no API key');
  t.notOk(all.includes(m.key.slice(8)), 'no part of the key body');
  t.notOk(all.includes(pnr), 'no national id as typed');
  t.notOk(all.includes(digits), 'no normalised national id');
  t.notOk(all.includes('8112189876'), 'no 10-digit form');
});
