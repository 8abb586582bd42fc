import t from 'tap';
import { buildTestApp, call } from '../helpers/app.ts';

const P = 'https://docs.omtanke.se/problems/';

t.test('authentication', async (t) => {
  const { app, merchant, database } = await buildTestApp(t);
  const m = await merchant();
  const cases: Array<[string, Record<string, string>, string]> = [
    ['missing header', {}, 'authentication_required'],
    ['not Bearer', { authorization: `Basic ${Buffer.from('x:y').toString('base64')}` }, 'invalid_api_key'],
    ['Bearer without key', { authorization: 'Bearer' }, 'invalid_api_key'],
    ['malformed key', { authorization: 'Bearer sk_test_short' }, 'invalid_api_key'],
    ['wrong prefix', { authorization: `Bearer pk_test_${'a'.repeat(40)}` }, 'invalid_api_key'],
    ['unknown well-formed key', { authorization: `Bearer sk_test_${'A'.repeat(40)}` }, 'invalid_api_key'],
  ];
  for (const [name, headers, code] of cases) {
    const r = await call(app, { method: 'GET', url: '/v1/customers', headers });
    t.equal(r.status, 401, name);
    t.equal(r.json.type, P + code, name);
    t.match(r.headers['content-type'], /application\/problem\+json/, name);
    t.ok(r.headers['www-authenticate'], `${name}: WWW-Authenticate`);
  }
  const unauthWrite = await call(app, { method: 'POST', url: '/v1/customers', payload: { name: 'X' } });
  t.equal(unauthWrite.status, 401);
  const count = await database.pool.query('select count(*)::int as n from customers');
  t.equal(count.rows[0].n, 0, 'an unauthenticated POST writes nothing');

  const ok = await call(app, { method: 'GET', url: '/v1/customers', headers: m.auth });
  t.equal(ok.status, 200);
  const lower = await call(app, { method: 'GET', url: '/v1/customers', headers: { authorization: `bearer ${m.key}` } });
  t.equal(lower.status, 200, 'scheme is case-insensitive');

  await t.test('keys: several per merchant, secret shown once, revocable', async (t) => {
    const created = await call(app, { method: 'POST', url: '/v1/api-keys', headers: m.auth, payload: { name: 'CRM' } });
    t.equal(created.status, 201);
    t.match(created.json.secret, /^sk_test_[0-9A-Za-z]{40}$/);
    t.match(created.json.id, /^key_/);
    t.equal(created.json.redacted, `sk_test_…${created.json.secret.slice(-4)}`);
    const second = { authorization: `Bearer ${created.json.secret}` };
    t.equal((await call(app, { method: 'GET', url: '/v1/merchant', headers: second })).json.id, m.id, 'second key, same merchant');

    const list = await call(app, { method: 'GET', url: '/v1/api-keys', headers: m.auth });
    t.equal(list.json.data.length, 2);
    t.notOk(list.body.includes(created.json.secret), 'the secret is never listed');
    t.notOk(list.json.data.some((k: Record<string, unknown>) => 'secret' in k));

    const stored = await database.pool.query('select secret_hash from api_keys where id = $1', [created.json.id]);
    t.not(stored.rows[0].secret_hash, created.json.secret, 'stored only as a hash');
    t.match(stored.rows[0].secret_hash, /^[0-9a-f]{64}$/);

    const revoked = await call(app, { method: 'POST', url: `/v1/api-keys/${created.json.id}/revoke`, headers: m.auth });
    t.equal(revoked.status, 200);
    t.equal(revoked.json.revoked_at, '2026-11-25T09:00:00.000Z');
    const after = await call(app, { method: 'GET', url: '/v1/customers', headers: second });
    t.equal(after.status, 401);
    t.equal(after.json.type, P + 'api_key_revoked');
    t.equal((await call(app, { method: 'GET', url: '/v1/customers', headers: m.auth })).status, 200, 'the other key still works');
  });

  await t.test("another merchant's key id answers 404", async (t) => {
    const other = await merchant('Other AB');
    const r = await call(app, { method: 'POST', url: `/v1/api-keys/${m.keyId}/revoke`, headers: other.auth });
    t.equal(r.status, 404);
    t.equal((await call(app, { method: 'GET', url: '/v1/merchant', headers: m.auth })).status, 200, 'still valid');
  });

  await t.test('live keys are recognisable', async (t) => {
    const live = await merchant('Live AB', true);
    t.match(live.key, /^sk_live_/);
    const me = await call(app, { method: 'GET', url: '/v1/merchant', headers: live.auth });
    t.equal(me.json.livemode, true);
    const c = await call(app, { method: 'POST', url: '/v1/customers', headers: live.auth, payload: { name: 'L' } });
    t.equal(c.json.livemode, true);
  });
});

t.test('rate limit per key: 429 with Retry-After, other keys unaffected', async (t) => {
  const { app, merchant } = await buildTestApp(t, { config: { RATE_LIMIT_PER_SECOND: 5, RATE_LIMIT_BURST: 5 } });
  const a = await merchant('A');
  const b = await merchant('B');
  const statuses: number[] = [];
  let limited;
  for (let i = 0; i < 8; i++) {
    const r = await call(app, { method: 'GET', url: '/v1/customers', headers: a.auth });
    statuses.push(r.status);
    if (r.status === 429) limited = r;
  }
  t.same(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
  t.ok(statuses.slice(5).every((s) => s === 429), `then 429: ${statuses}`);
  t.equal(limited!.json.type, P + 'rate_limited');
  t.ok(Number(limited!.headers['retry-after']) >= 1, 'Retry-After in seconds');
  t.equal((await call(app, { method: 'GET', url: '/v1/customers', headers: b.auth })).status, 200);
  t.equal((await call(app, { method: 'GET', url: '/healthz' })).status, 200, 'probes are not limited');
});
