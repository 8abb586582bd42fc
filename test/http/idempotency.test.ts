import t from 'tap';
import pg from 'pg';
import { buildTestApp, call } from '../helpers/app.ts';

const P = 'https://docs.omtanke.se/problems/';

t.test('Idempotency-Key', async (t) => {
  const { app, merchant, database, clock } = await buildTestApp(t, { poolMax: 30 });
  const m = await merchant();
  const other = await merchant('Other AB');
  const count = async (merchantId: string) =>
    (await database.pool.query('select count(*)::int as n from customers where merchant_id = $1', [merchantId])).rows[0].n as number;
  const post = (key: string, payload: object, who = m, url = '/v1/customers') =>
    call(app, { method: 'POST', url, headers: { ...who.auth, 'idempotency-key': key }, payload });

  await t.test('a replay returns the first response and creates nothing', async (t) => {
    const first = await post('k-replay', { name: 'Anna', email: 'a@example.se' });
    t.equal(first.status, 201);
    t.notOk(first.headers['idempotent-replayed']);
    clock.advance(1000);
    const again = await post('k-replay', { email: 'a@example.se', name: 'Anna' });
    t.equal(again.status, 201, 'same status');
    t.equal(again.body, first.body, 'same body, byte for byte (key order in the request does not matter)');
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.match(again.headers['content-type'], /application\/json/);
    t.equal(await count(m.id), 1);
  });

  await t.test('the same key with another body or path is a 422 and changes nothing', async (t) => {
    const r = await post('k-replay', { name: 'Someone else' });
    t.equal(r.status, 422);
    t.equal(r.json.type, P + 'idempotency_key_reused');
    const created = JSON.parse((await post('k-replay', { name: 'Anna', email: 'a@example.se' })).body);
    const patch = await call(app, { method: 'PATCH', url: `/v1/customers/${created.id}`, headers: { ...m.auth, 'idempotency-key': 'k-replay' }, payload: { name: 'Anna', email: 'a@example.se' } });
    t.equal(patch.status, 422, 'another path');
    t.equal(await count(m.id), 1);
    const get = await call(app, { method: 'GET', url: `/v1/customers/${created.id}`, headers: m.auth });
    t.equal(get.json.name, 'Anna');
  });

  await t.test('keys are scoped to the merchant', async (t) => {
    const r = await post('k-replay', { name: 'Anna', email: 'a@example.se' }, other);
    t.equal(r.status, 201);
    t.notOk(r.headers['idempotent-replayed']);
    t.equal(await count(other.id), 1);
  });

  await t.test('a retry while the first request still runs is a 409', async (t) => {
    // Hold a lock the first request's INSERT needs, so it stays in flight.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('begin; lock table customers in exclusive mode');
    const slow = post('k-inflight', { name: 'Slow' });
    await new Promise((r) => setTimeout(r, 300));
    const concurrent = await post('k-inflight', { name: 'Slow' });
    t.equal(concurrent.status, 409);
    t.equal(concurrent.json.type, P + 'idempotency_request_in_progress');
    await blocker.query('commit');
    await blocker.end();
    const first = await slow;
    t.equal(first.status, 201);
    const replay = await post('k-inflight', { name: 'Slow' });
    t.equal(replay.status, 201);
    t.equal(replay.json.id, first.json.id);
  });

  await t.test('20 concurrent requests with one key create exactly one customer', async (t) => {
    const before = await count(m.id);
    const results = await Promise.all(Array.from({ length: 20 }, () => post('k-concurrent', { name: 'Racer' })));
    const statuses = results.map((r) => r.status);
    t.ok(statuses.every((s) => s === 201 || s === 409), `only 201 or 409: ${statuses}`);
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.json.id));
    t.equal(ids.size, 1, 'every success names the same customer');
    t.equal(await count(m.id), before + 1, 'exactly one row');
    const after = await post('k-concurrent', { name: 'Racer' });
    t.equal(after.json.id, [...ids][0]);
  });

  await t.test('an error is not stored: the work and the key roll back together', async (t) => {
    const before = await count(m.id);
    await database.pool.query('alter table idempotency_keys rename to idempotency_keys_away');
    const failed = await post('k-rollback', { name: 'Lost' });
    t.equal(failed.status, 500, 'storing the response failed');
    await database.pool.query('alter table idempotency_keys_away rename to idempotency_keys');
    t.equal(await count(m.id), before, 'the customer insert rolled back with it');
    const retry = await post('k-rollback', { name: 'Lost' });
    t.equal(retry.status, 201, 'a retry does the work once');
    t.notOk(retry.headers['idempotent-replayed']);
    t.equal(await count(m.id), before + 1);

    const taken = await post('k-4xx', { name: 'X', external_id: 'crm-dup' });
    t.equal(taken.status, 201);
    const conflict = await post('k-4xx-2', { name: 'Y', external_id: 'crm-dup' });
    t.equal(conflict.status, 409);
    await call(app, { method: 'PATCH', url: `/v1/customers/${taken.json.id}`, headers: m.auth, payload: { external_id: null } });
    const retried = await post('k-4xx-2', { name: 'Y', external_id: 'crm-dup' });
    t.equal(retried.status, 201, 'a failed request can be retried with its key once the cause is fixed');
  });

  await t.test('PATCH replays too', async (t) => {
    const c = await post('k-patch-create', { name: 'P' });
    const patch = (name: string) =>
      call(app, { method: 'PATCH', url: `/v1/customers/${c.json.id}`, headers: { ...m.auth, 'idempotency-key': 'k-patch' }, payload: { name } });
    const a = await patch('P2');
    await call(app, { method: 'PATCH', url: `/v1/customers/${c.json.id}`, headers: m.auth, payload: { name: 'P3' } });
    const b = await patch('P2');
    t.equal(b.headers['idempotent-replayed'], 'true');
    t.equal(b.body, a.body);
    const now = await call(app, { method: 'GET', url: `/v1/customers/${c.json.id}`, headers: m.auth });
    t.equal(now.json.name, 'P3', 'the replay did not apply the update again');
  });

  await t.test('keys are kept 24 hours', async (t) => {
    const first = await post('k-ttl', { name: 'T' });
    clock.advance(23 * 3600_000);
    t.equal((await post('k-ttl', { name: 'T' })).json.id, first.json.id, 'still replayed after 23 h');
    clock.advance(2 * 3600_000);
    const later = await post('k-ttl', { name: 'T' });
    t.equal(later.status, 201);
    t.not(later.json.id, first.json.id, 'after 25 h the key is free again');
  });
});
