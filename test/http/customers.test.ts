import t from 'tap';
import { buildTestApp, call } from '../helpers/app.ts';

const anna = {
  name: 'Anna Andersson',
  email: 'anna@example.se',
  phone: '+46701234567',
  national_id: '19811218-9876',
  address: { line1: 'Storgatan 1', postal_code: '11451', city: 'Stockholm' },
  external_id: 'crm-1',
  metadata: { segment: 'b2c' },
};

t.test('customers', async (t) => {
  const { app, merchant, clock } = await buildTestApp(t);
  const acme = await merchant('Acme AB');
  const other = await merchant('Other AB');

  let id = '';
  await t.test('create returns 201 with normalised, masked fields', async (t) => {
    const r = await call(app, { method: 'POST', url: '/v1/customers', headers: acme.auth, payload: anna });
    t.equal(r.status, 201);
    id = r.json.id;
    t.match(id, /^cus_[0-9A-Z]{26}$/);
    t.equal(r.json.object, 'customer');
    t.equal(r.json.national_id, '********9876', 'masked except last four');
    t.equal(r.json.national_id_type, 'personnummer');
    t.notOk(r.body.includes('198112189876'), 'full number never leaves');
    t.same(r.json.address, { line1: 'Storgatan 1', line2: null, postal_code: '114 51', city: 'Stockholm', country: 'SE' });
    t.equal(r.json.type, 'person');
    t.equal(r.json.locale, 'sv');
    t.equal(r.json.livemode, false);
    t.equal(r.json.archived, false);
    t.equal(r.json.created_at, '2026-11-25T09:00:00.000Z', 'time from the injected clock');
  });

  await t.test('retrieve', async (t) => {
    const r = await call(app, { method: 'GET', url: `/v1/customers/${id}`, headers: acme.auth });
    t.equal(r.status, 200);
    t.equal(r.json.email, 'anna@example.se');
  });

  await t.test('company with organisationsnummer and VAT number', async (t) => {
    const r = await call(app, {
      method: 'POST',
      url: '/v1/customers',
      headers: acme.auth,
      payload: { name: 'Bolaget AB', type: 'company', national_id: '5560360793', vat_number: 'se 556036079301', locale: 'en' },
    });
    t.equal(r.status, 201);
    t.equal(r.json.national_id, '******-0793');
    t.equal(r.json.national_id_type, 'organisationsnummer');
    t.equal(r.json.vat_number, 'SE556036079301');
  });

  await t.test('update merges metadata, clears with null, bumps updated_at', async (t) => {
    clock.advance(60_000);
    const r = await call(app, {
      method: 'PATCH',
      url: `/v1/customers/${id}`,
      headers: acme.auth,
      payload: { email: null, name: 'Anna A', metadata: { segment: null, crm: '42' } },
    });
    t.equal(r.status, 200);
    t.equal(r.json.email, null);
    t.equal(r.json.name, 'Anna A');
    t.same(r.json.metadata, { crm: '42' });
    t.equal(r.json.updated_at, '2026-11-25T09:01:00.000Z');
    const viaPost = await call(app, { method: 'POST', url: `/v1/customers/${id}`, headers: acme.auth, payload: { phone: '+46 8 123 456' } });
    t.equal(viaPost.status, 200);
    t.equal(viaPost.json.phone, '+46 8 123 456');
  });

  await t.test('changing type to company re-validates the national id', async (t) => {
    const c = await call(app, { method: 'POST', url: '/v1/customers', headers: acme.auth, payload: { name: 'X', type: 'company', national_id: '556036-0793' } });
    const r = await call(app, { method: 'PATCH', url: `/v1/customers/${c.json.id}`, headers: acme.auth, payload: { type: 'person' } });
    t.equal(r.status, 400);
    t.equal(r.json.errors[0].field, 'national_id');
    const after = await call(app, { method: 'GET', url: `/v1/customers/${c.json.id}`, headers: acme.auth });
    t.equal(after.json.type, 'company', 'nothing changed');
  });

  await t.test('external_id is unique per merchant, not across merchants', async (t) => {
    const dup = await call(app, { method: 'POST', url: '/v1/customers', headers: acme.auth, payload: { name: 'Dup', external_id: 'crm-1' } });
    t.equal(dup.status, 409);
    t.equal(dup.json.type, 'https://docs.omtanke.se/problems/external_id_taken');
    const elsewhere = await call(app, { method: 'POST', url: '/v1/customers', headers: other.auth, payload: { name: 'Same', external_id: 'crm-1' } });
    t.equal(elsewhere.status, 201);
    const byExt = await call(app, { method: 'GET', url: '/v1/customers?external_id=crm-1', headers: acme.auth });
    t.equal(byExt.json.data.length, 1);
    t.equal(byExt.json.data[0].id, id);
  });

  await t.test('archive hides from the default list, keeps the object, unarchive restores', async (t) => {
    const a = await call(app, { method: 'POST', url: `/v1/customers/${id}/archive`, headers: acme.auth });
    t.equal(a.status, 200);
    t.equal(a.json.archived, true);
    t.equal(a.json.archived_at, '2026-11-25T09:01:00.000Z');
    const again = await call(app, { method: 'DELETE', url: `/v1/customers/${id}`, headers: acme.auth });
    t.equal(again.status, 200, 'DELETE archives too, idempotently');
    t.equal(again.json.archived_at, a.json.archived_at);
    const list = await call(app, { method: 'GET', url: '/v1/customers?limit=100', headers: acme.auth });
    t.notOk(list.json.data.some((c: { id: string }) => c.id === id));
    const archived = await call(app, { method: 'GET', url: '/v1/customers?archived=true', headers: acme.auth });
    t.same(archived.json.data.map((c: { id: string }) => c.id), [id]);
    const get = await call(app, { method: 'GET', url: `/v1/customers/${id}`, headers: acme.auth });
    t.equal(get.status, 200);
    const back = await call(app, { method: 'POST', url: `/v1/customers/${id}/unarchive`, headers: acme.auth });
    t.equal(back.status, 200);
    t.equal(back.json.archived, false);
    t.same(back.json.metadata, { crm: '42' }, 'earlier details still in place');
  });

  await t.test('another merchant gets 404 on every customer route and sees nothing in lists', async (t) => {
    const routes: Array<[string, string, object | undefined]> = [
      ['GET', `/v1/customers/${id}`, undefined],
      ['PATCH', `/v1/customers/${id}`, { name: 'Hijack' }],
      ['POST', `/v1/customers/${id}`, { name: 'Hijack' }],
      ['POST', `/v1/customers/${id}/archive`, undefined],
      ['DELETE', `/v1/customers/${id}`, undefined],
      ['POST', `/v1/customers/${id}/unarchive`, undefined],
    ];
    for (const [method, url, payload] of routes) {
      const r = await call(app, { method: method as 'GET', url, headers: other.auth, ...(payload ? { payload } : {}) });
      t.equal(r.status, 404, `${method} ${url}`);
      t.equal(r.json.type, 'https://docs.omtanke.se/problems/not_found');
      t.notOk(r.body.includes('Anna'), 'no data leaks');
    }
    const list = await call(app, { method: 'GET', url: '/v1/customers?limit=100', headers: other.auth });
    t.notOk(list.json.data.some((c: { id: string }) => c.id === id));
    const archivedList = await call(app, { method: 'GET', url: '/v1/customers?archived=true', headers: other.auth });
    t.same(archivedList.json.data, []);
    const byEmail = await call(app, { method: 'GET', url: '/v1/customers?email=anna@example.se', headers: other.auth });
    t.same(byEmail.json.data, []);
    const mine = await call(app, { method: 'GET', url: `/v1/customers/${id}`, headers: acme.auth });
    t.equal(mine.json.name, 'Anna A', 'unchanged by the other merchant');
    t.equal(mine.json.archived, false);
  });
});

t.test('pagination walks every customer once, newest first, with inserts in between', async (t) => {
  const { app, merchant } = await buildTestApp(t);
  const m = await merchant();
  const created: string[] = [];
  for (let i = 0; i < 25; i++) {
    const r = await call(app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: `C${i}` } });
    created.push(r.json.id);
  }
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const q = cursor ? `limit=10&starting_after=${cursor}` : 'limit=10';
    const r = await call(app, { method: 'GET', url: `/v1/customers?${q}`, headers: m.auth });
    t.equal(r.status, 200);
    t.equal(r.json.object, 'list');
    seen.push(...r.json.data.map((c: { id: string }) => c.id));
    pages++;
    // New customers arrive while the client pages: they are newer than any cursor, so they never
    // appear in later pages and never shift them.
    await call(app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: `late${pages}` } });
    if (!r.json.has_more) break;
    cursor = r.json.data.at(-1).id;
  }
  t.equal(pages, 3);
  t.same(seen, [...created].reverse(), 'each original customer exactly once, newest first');

  const first = await call(app, { method: 'GET', url: '/v1/customers?limit=3', headers: m.auth });
  t.equal(first.json.data.length, 3);
  t.equal(first.json.has_more, true);
  const back = await call(app, { method: 'GET', url: `/v1/customers?limit=2&ending_before=${seen[5]}`, headers: m.auth });
  t.same(back.json.data.map((c: { id: string }) => c.id), [seen[3], seen[4]], 'ending_before pages towards newer');

  for (const bad of ['limit=0', 'limit=101', 'limit=abc', 'starting_after=nope', 'starting_after=in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', 'bogus=1']) {
    const r = await call(app, { method: 'GET', url: `/v1/customers?${bad}`, headers: m.auth });
    t.equal(r.status, 400, bad);
    t.equal(r.json.type, 'https://docs.omtanke.se/problems/validation_failed', bad);
    t.equal(r.json.errors[0].location, 'query', bad);
  }
});
