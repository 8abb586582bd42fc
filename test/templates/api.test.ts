// /v1/templates on a real database: the full list with defaults and overrides, save (create or
// replace, checked first), retrieve, delete back to the default, preview, tenancy, and a burst of
// concurrent saves leaving one override.
import t from 'tap';
import { buildTestApp, call } from '../helpers/app.ts';
import { defaultTemplate } from '../../src/modules/templates/defaults.ts';

const PROBLEM = 'https://docs.omtanke.se/problems/';
const OVERRIDE = {
  template: 'reminder',
  locale: 'sv',
  tone: 'friendly',
  subject: 'Glömde du oss? Faktura {{invoice.number}}',
  html: '{{#> layout}}<p>Hej {{customer.name}}! Vi saknar en betalning.</p>{{> invoices}}{{> payment}}{{> help}}{{> signature}}{{/layout}}',
  text: '{{#> layout}}Hej {{customer.name}}! Vi saknar en betalning.\n\n{{> invoices}}{{> payment}}{{> help}}{{> signature}}{{/layout}}',
};

t.test('templates API', async (t) => {
  const { app, merchant, database, clock, services } = await buildTestApp(t, { poolMax: 30 });
  const acme = await merchant('Acme AB');
  const other = await merchant('Other AB');
  const rows = async (merchantId: string) =>
    (await database.pool.query('select id, template, locale, tone, subject from message_templates where merchant_id = $1 order by id', [merchantId])).rows;
  const post = (payload: object, who = acme, headers: Record<string, string> = {}) => call(app, { method: 'POST', url: '/v1/templates', headers: { ...who.auth, ...headers }, payload });

  await t.test('the list: all 24 defaults, complete, filterable', async (t) => {
    const r = await call(app, { method: 'GET', url: '/v1/templates', headers: acme.auth });
    t.equal(r.status, 200);
    t.equal(r.json.object, 'list');
    t.equal(r.json.has_more, false);
    t.equal(r.json.data.length, 24);
    t.ok(r.json.data.every((d: any) => d.source === 'default' && d.id === null && d.object === 'template' && d.created_at === null));
    const one = r.json.data.find((d: any) => d.template === 'due_date' && d.locale === 'sv' && d.tone === 'friendly');
    t.same({ subject: one.subject, html: one.html, text: one.text }, defaultTemplate('due_date', 'sv', 'friendly'));
    const f = await call(app, { method: 'GET', url: '/v1/templates?template=final_reminder&locale=en', headers: acme.auth });
    t.same(f.json.data.map((d: any) => d.tone), ['friendly', 'neutral', 'firm']);
    const bad = await call(app, { method: 'GET', url: '/v1/templates?template=nope', headers: acme.auth });
    t.equal(bad.status, 400);
  });

  let id = '';
  await t.test('save creates an override; saving again replaces it (same id)', async (t) => {
    const r = await post(OVERRIDE);
    t.equal(r.status, 201, r.body);
    id = r.json.id;
    t.match(id, /^tpl_[0-9A-Z]{26}$/);
    t.match(r.json, { object: 'template', source: 'merchant', template: 'reminder', locale: 'sv', tone: 'friendly', subject: OVERRIDE.subject, created_at: '2026-11-25T09:00:00.000Z' });
    clock.advance(60_000);
    const again = await post({ ...OVERRIDE, subject: 'Påminnelse {{invoice.number}}' });
    t.equal(again.status, 200);
    t.equal(again.json.id, id);
    t.equal(again.json.subject, 'Påminnelse {{invoice.number}}');
    t.equal(again.json.created_at, '2026-11-25T09:00:00.000Z');
    t.equal(again.json.updated_at, '2026-11-25T09:01:00.000Z');
    t.equal((await rows(acme.id)).length, 1);
    const get = await call(app, { method: 'GET', url: `/v1/templates/${id}`, headers: acme.auth });
    t.same(get.json, again.json);
    const list = await call(app, { method: 'GET', url: '/v1/templates?source=merchant', headers: acme.auth });
    t.same(list.json.data.map((d: any) => d.id), [id]);
    const all = await call(app, { method: 'GET', url: '/v1/templates', headers: acme.auth });
    t.equal(all.json.data.length, 24, 'still one per (template, locale, tone)');
  });

  await t.test('resolve: the override for its merchant, the default elsewhere', async (t) => {
    const mine = await services.templates.resolve(database.db, acme.id, 'reminder', 'sv', 'friendly');
    t.equal(mine.source, 'merchant');
    t.equal(mine.id, id);
    t.equal(mine.parts.subject, 'Påminnelse {{invoice.number}}');
    const theirs = await services.templates.resolve(database.db, other.id, 'reminder', 'sv', 'friendly');
    t.same(theirs, { id: null, template: 'reminder', locale: 'sv', tone: 'friendly', source: 'default', parts: defaultTemplate('reminder', 'sv', 'friendly'), createdAt: null, updatedAt: null });
    const otherTone = await services.templates.resolve(database.db, acme.id, 'reminder', 'sv', 'neutral');
    t.equal(otherTone.source, 'default');
  });

  await t.test('an invalid template is a 422 naming the part and the variable, and nothing changes', async (t) => {
    const before = await rows(acme.id);
    const cases: Array<[object, string, RegExp]> = [
      [{ html: '<p>{{customer.nmae}}</p>' }, 'html', /customer\.nmae/],
      [{ text: '{{#each invoices}}{{nummer}}{{/each}}' }, 'text', /nummer/],
      [{ subject: 'Hej {{#if fee}}' }, 'subject', /not a valid template/],
      [{ html: '<p>{{{customer.name}}}</p>' }, 'html', /escaping/],
      [{ html: '{{#if (eqq fee 1)}}x{{/if}}' }, 'html', /unknown helper "eqq"/],
    ];
    for (const [change, field, message] of cases) {
      const r = await post({ ...OVERRIDE, ...change });
      t.equal(r.status, 422, JSON.stringify(change));
      t.equal(r.json.type, PROBLEM + 'template_invalid');
      t.match(r.json.errors, [{ field, location: 'body', message }]);
      t.match(r.json.detail, message);
    }
    for (const bad of [{}, { ...OVERRIDE, template: 'escalation' }, { ...OVERRIDE, locale: 'de' }, { ...OVERRIDE, subject: '' }, { ...OVERRIDE, html: 'x'.repeat(100_001) }, { ...OVERRIDE, extra: 1 }]) {
      const r = await post(bad);
      t.ok(r.status === 400 || r.status === 413, `${r.status} ${JSON.stringify(bad).slice(0, 80)}`);
    }
    t.same(await rows(acme.id), before);
  });

  await t.test('preview renders with a sample context and the merchant’s own details', async (t) => {
    const r = await call(app, { method: 'POST', url: '/v1/templates/preview', headers: acme.auth, payload: { template: 'due_date', locale: 'sv', tone: 'friendly' } });
    t.equal(r.status, 200, r.body);
    t.equal(r.json.object, 'template_preview');
    t.match(r.json.subject, /^En vänlig påminnelse om faktura 2026-0042$/);
    t.match(r.json.text, /Hej Anna Andersson!/);
    t.match(r.json.text, /Acme Prenumerationer AB/, 'the merchant’s legal name');
    t.match(r.json.text, /5050-1055/);
    t.match(r.json.html, /<!DOCTYPE html>/);
    const mine = await call(app, { method: 'POST', url: '/v1/templates/preview', headers: acme.auth, payload: { template: 'reminder', locale: 'sv', tone: 'friendly' } });
    t.equal(mine.json.subject, 'Påminnelse 2026-0042', 'the override in force');
    const draft = await call(app, { method: 'POST', url: '/v1/templates/preview', headers: acme.auth, payload: { template: 'reminder', locale: 'en', tone: 'firm', subject: 'Hello {{customer.name}}, {{amount_to_pay}}' } });
    t.match(draft.json.subject, /^Hello Anna Andersson, SEK/);
    const bad = await call(app, { method: 'POST', url: '/v1/templates/preview', headers: acme.auth, payload: { template: 'reminder', locale: 'en', tone: 'firm', html: '{{nope}}' } });
    t.equal(bad.status, 422);
    t.match(bad.json.errors, [{ field: 'html', message: /nope/ }]);
  });

  await t.test('another merchant cannot see or delete the override', async (t) => {
    t.equal((await call(app, { method: 'GET', url: `/v1/templates/${id}`, headers: other.auth })).status, 404);
    t.equal((await call(app, { method: 'DELETE', url: `/v1/templates/${id}`, headers: other.auth })).status, 404);
    const list = await call(app, { method: 'GET', url: '/v1/templates?source=merchant', headers: other.auth });
    t.same(list.json.data, []);
    t.equal((await rows(acme.id)).length, 1);
  });

  await t.test('delete: back to the default', async (t) => {
    const r = await call(app, { method: 'DELETE', url: `/v1/templates/${id}`, headers: acme.auth });
    t.equal(r.status, 200);
    t.same(r.json, { id, object: 'template', deleted: true });
    t.equal((await call(app, { method: 'GET', url: `/v1/templates/${id}`, headers: acme.auth })).status, 404);
    t.equal((await call(app, { method: 'DELETE', url: `/v1/templates/${id}`, headers: acme.auth })).status, 404);
    t.equal((await services.templates.resolve(database.db, acme.id, 'reminder', 'sv', 'friendly')).source, 'default');
  });

  await t.test('30 concurrent saves of one (template, locale, tone) leave exactly one override', async (t) => {
    const one = { ...OVERRIDE, tone: 'neutral' };
    // Each with its own key (30 different requests) and, for the same key, one request done once.
    const distinct = await Promise.all(Array.from({ length: 30 }, (_, i) => post({ ...one, subject: `Nr ${i} {{invoice.number}}` }, acme, { 'idempotency-key': `tpl-burst-${i}` })));
    t.ok(distinct.every((r) => r.status === 200 || r.status === 201), 'every save succeeds');
    t.equal(distinct.filter((r) => r.status === 201).length, 1, 'one created, the rest replaced');
    t.equal(new Set(distinct.map((r) => r.json.id)).size, 1, 'all the same override');
    const same = await Promise.all(Array.from({ length: 30 }, () => post({ ...one, tone: 'firm' }, acme, { 'idempotency-key': 'tpl-burst-same' })));
    for (const r of same) t.ok(r.status === 201 || r.json?.code === 'idempotency_request_in_progress', `${r.status}`);
    t.same([...new Set(same.filter((r) => r.status === 201).map((r) => r.json.id))].length, 1);
    const saved = await rows(acme.id);
    t.equal(saved.filter((r: any) => r.tone === 'neutral').length, 1);
    t.equal(saved.filter((r: any) => r.tone === 'firm').length, 1);
    const replay = await post({ ...one, tone: 'firm' }, acme, { 'idempotency-key': 'tpl-burst-same' });
    t.equal(replay.headers['idempotent-replayed'], 'true');
  });
});
