import t from 'tap';
import { buildTestApp, call } from '../helpers/app.ts';

const PROBLEM = 'https://docs.omtanke.se/problems/';

t.test('catalog: products and prices', async (t) => {
  const { app, merchant, clock, database } = await buildTestApp(t);
  const acme = await merchant('Acme AB');
  const other = await merchant('Other AB');

  let productId = '';
  let priceId = '';

  await t.test('create and retrieve a product', async (t) => {
    const r = await call(app, { method: 'POST', url: '/v1/products', headers: acme.auth, payload: { name: 'Omtanke Pro', description: 'Priority support', metadata: { sku: 'PRO' } } });
    t.equal(r.status, 201);
    productId = r.json.id;
    t.match(productId, /^prod_[0-9A-Z]{26}$/);
    t.same(
      { ...r.json, id: undefined },
      {
        id: undefined,
        object: 'product',
        livemode: false,
        name: 'Omtanke Pro',
        description: 'Priority support',
        active: true,
        metadata: { sku: 'PRO' },
        created_at: '2026-11-25T09:00:00.000Z',
        updated_at: '2026-11-25T09:00:00.000Z',
      },
    );
    const get = await call(app, { method: 'GET', url: `/v1/products/${productId}`, headers: acme.auth });
    t.equal(get.status, 200);
    t.same(get.json, r.json);
    for (const bad of [{}, { name: '' }, { name: 'x'.repeat(201) }, { name: 'X', bogus: 1 }, { name: 'X', active: 'yes' }]) {
      const b = await call(app, { method: 'POST', url: '/v1/products', headers: acme.auth, payload: bad });
      t.equal(b.status, 400, JSON.stringify(bad));
      t.equal(b.json.type, PROBLEM + 'validation_failed');
    }
  });

  await t.test('create and retrieve prices with defaults', async (t) => {
    const r = await call(app, {
      method: 'POST',
      url: '/v1/prices',
      headers: acme.auth,
      payload: { product: productId, unit_amount: 29900, type: 'recurring', recurring: { interval: 'month', interval_count: 1 }, nickname: 'Pro monthly' },
    });
    t.equal(r.status, 201);
    priceId = r.json.id;
    t.match(priceId, /^price_[0-9A-Z]{26}$/);
    t.match(r.json, {
      object: 'price',
      product: productId,
      active: true,
      currency: 'SEK',
      unit_amount: 29900,
      tax_behavior: 'exclusive',
      vat_rate: 25,
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 1 },
      nickname: 'Pro monthly',
      metadata: {},
    });
    const get = await call(app, { method: 'GET', url: `/v1/prices/${priceId}`, headers: acme.auth });
    t.equal(get.status, 200);
    t.same(get.json, r.json);

    const once = await call(app, {
      method: 'POST',
      url: '/v1/prices',
      headers: acme.auth,
      payload: { product: productId, unit_amount: 10_000_000_000, currency: 'EUR', tax_behavior: 'inclusive', vat_rate: 6, type: 'one_time' },
    });
    t.equal(once.status, 201);
    t.match(once.json, { currency: 'EUR', unit_amount: 10_000_000_000, tax_behavior: 'inclusive', vat_rate: 6, type: 'one_time', recurring: null });
    // The README tour's price: no interval_count means every interval. (Another merchant's, so the
    // list counts below stay as they are.)
    const tour = await merchant('Tour AB');
    const tourProduct = await call(app, { method: 'POST', url: '/v1/products', headers: tour.auth, payload: { name: 'Omtanke Pro' } });
    const monthly = await call(app, {
      method: 'POST',
      url: '/v1/prices',
      headers: tour.auth,
      payload: { product: tourProduct.json.id, unit_amount: 19900, tax_behavior: 'inclusive', type: 'recurring', recurring: { interval: 'month' } },
    });
    t.equal(monthly.status, 201);
    t.same(monthly.json.recurring, { interval: 'month', interval_count: 1 });
    const zero = await call(app, { method: 'POST', url: '/v1/prices', headers: acme.auth, payload: { product: productId, unit_amount: 0, vat_rate: 0, type: 'one_time' } });
    t.equal(zero.status, 201);
    t.equal(zero.json.vat_rate, 0);
  });

  await t.test('price validation', async (t) => {
    const base = { product: productId, unit_amount: 100, type: 'one_time' };
    const cases: Array<[string, object, string]> = [
      ['recurring without recurring', { ...base, type: 'recurring' }, 'recurring'],
      ['one_time with recurring', { ...base, recurring: { interval: 'month', interval_count: 1 } }, 'recurring'],
      ['VAT rate 10', { ...base, vat_rate: 10 }, 'vat_rate'],
      ['lower-case currency', { ...base, currency: 'sek' }, 'currency'],
      ['negative amount', { ...base, unit_amount: -1 }, 'unit_amount'],
      ['amount above 10^10', { ...base, unit_amount: 10_000_000_001 }, 'unit_amount'],
      ['fractional amount', { ...base, unit_amount: 1.5 }, 'unit_amount'],
      ['interval_count 13', { ...base, type: 'recurring', recurring: { interval: 'month', interval_count: 13 } }, 'recurring.interval_count'],
      ['interval week', { ...base, type: 'recurring', recurring: { interval: 'week', interval_count: 1 } }, 'recurring.interval'],
      ['bad tax_behavior', { ...base, tax_behavior: 'both' }, 'tax_behavior'],
      ['missing type', { product: productId, unit_amount: 100 }, 'type'],
      ['unknown product', { ...base, product: 'prod_01KB2Y5M8Q0ZC3V1S7N4D6F9XA' }, 'product'],
    ];
    const before = await call(app, { method: 'GET', url: '/v1/prices?limit=100', headers: acme.auth });
    for (const [label, payload, field] of cases) {
      const r = await call(app, { method: 'POST', url: '/v1/prices', headers: acme.auth, payload });
      t.equal(r.status, 400, label);
      t.equal(r.json.type, PROBLEM + 'validation_failed', label);
      t.ok(
        r.json.errors?.some((e: { field: string }) => e.field === field || e.field.startsWith(field)),
        `${label}: names ${field} (${JSON.stringify(r.json.errors)})`,
      );
    }
    const after = await call(app, { method: 'GET', url: '/v1/prices?limit=100', headers: acme.auth });
    t.equal(after.json.data.length, before.json.data.length, 'nothing written');
  });

  await t.test('price amounts, currency, tax and recurrence are immutable', async (t) => {
    const original = await call(app, { method: 'GET', url: `/v1/prices/${priceId}`, headers: acme.auth });
    const immutable: Record<string, unknown> = {
      unit_amount: 100,
      currency: 'EUR',
      tax_behavior: 'inclusive',
      vat_rate: 12,
      type: 'one_time',
      recurring: { interval: 'year', interval_count: 1 },
      product: productId,
    };
    for (const [field, value] of Object.entries(immutable)) {
      for (const method of ['PATCH', 'POST'] as const) {
        const r = await call(app, { method, url: `/v1/prices/${priceId}`, headers: acme.auth, payload: { nickname: 'x', [field]: value } });
        t.equal(r.status, 400, `${method} ${field}`);
        t.equal(r.json.type, PROBLEM + 'validation_failed');
        t.ok(r.json.errors.some((e: { field: string }) => e.field === field), `${method} names ${field}`);
      }
    }
    const unchanged = await call(app, { method: 'GET', url: `/v1/prices/${priceId}`, headers: acme.auth });
    t.same(unchanged.json, original.json, 'nothing changed');
  });

  await t.test('update a price: nickname, metadata, active', async (t) => {
    clock.advance(60_000);
    const r = await call(app, { method: 'PATCH', url: `/v1/prices/${priceId}`, headers: acme.auth, payload: { nickname: null, metadata: { plan: 'pro' }, active: false } });
    t.equal(r.status, 200);
    t.equal(r.json.nickname, null);
    t.same(r.json.metadata, { plan: 'pro' });
    t.equal(r.json.active, false);
    t.equal(r.json.unit_amount, 29900);
    t.equal(r.json.updated_at, '2026-11-25T09:01:00.000Z');
    const viaPost = await call(app, { method: 'POST', url: `/v1/prices/${priceId}`, headers: acme.auth, payload: { active: true, metadata: { plan: null } } });
    t.equal(viaPost.status, 200);
    t.equal(viaPost.json.active, true);
    t.same(viaPost.json.metadata, {});
  });

  await t.test('update and archive a product; its prices stay retrievable', async (t) => {
    const r = await call(app, { method: 'PATCH', url: `/v1/products/${productId}`, headers: acme.auth, payload: { name: 'Omtanke Pro 2', description: null, metadata: { sku: null, tier: 'gold' } } });
    t.equal(r.status, 200);
    t.equal(r.json.name, 'Omtanke Pro 2');
    t.equal(r.json.description, null);
    t.same(r.json.metadata, { tier: 'gold' });
    const bad = await call(app, { method: 'PATCH', url: `/v1/products/${productId}`, headers: acme.auth, payload: { name: '' } });
    t.equal(bad.status, 400);

    const archived = await call(app, { method: 'POST', url: `/v1/products/${productId}`, headers: acme.auth, payload: { active: false } });
    t.equal(archived.status, 200);
    t.equal(archived.json.active, false);
    const still = await call(app, { method: 'GET', url: `/v1/products/${productId}`, headers: acme.auth });
    t.equal(still.status, 200, 'never deleted');
    const price = await call(app, { method: 'GET', url: `/v1/prices/${priceId}`, headers: acme.auth });
    t.equal(price.status, 200, 'price of an archived product is retrievable');
    const newPrice = await call(app, { method: 'POST', url: '/v1/prices', headers: acme.auth, payload: { product: productId, unit_amount: 1, type: 'one_time' } });
    t.equal(newPrice.status, 400, 'no new prices on an archived product');
    t.equal(newPrice.json.errors[0].field, 'product');
    const noDelete = await call(app, { method: 'DELETE', url: `/v1/products/${productId}`, headers: acme.auth });
    t.equal(noDelete.status, 404, 'there is no DELETE route');
  });

  await t.test('list filters', async (t) => {
    const second = await call(app, { method: 'POST', url: '/v1/products', headers: acme.auth, payload: { name: 'Basic' } });
    const basicPrice = await call(app, {
      method: 'POST',
      url: '/v1/prices',
      headers: acme.auth,
      payload: { product: second.json.id, unit_amount: 9900, type: 'recurring', recurring: { interval: 'quarter', interval_count: 1 } },
    });
    t.equal(basicPrice.status, 201);

    const all = await call(app, { method: 'GET', url: '/v1/products', headers: acme.auth });
    t.same(all.json.data.map((p: { id: string }) => p.id), [second.json.id, productId], 'newest first, archived included by default');
    const active = await call(app, { method: 'GET', url: '/v1/products?active=true', headers: acme.auth });
    t.same(active.json.data.map((p: { id: string }) => p.id), [second.json.id]);
    const inactive = await call(app, { method: 'GET', url: '/v1/products?active=false', headers: acme.auth });
    t.same(inactive.json.data.map((p: { id: string }) => p.id), [productId]);

    const ofFirst = await call(app, { method: 'GET', url: `/v1/prices?product=${productId}`, headers: acme.auth });
    t.equal(ofFirst.json.data.length, 3);
    t.ok(ofFirst.json.data.every((p: { product: string }) => p.product === productId));
    const recurring = await call(app, { method: 'GET', url: '/v1/prices?type=recurring', headers: acme.auth });
    t.same(recurring.json.data.map((p: { id: string }) => p.id), [basicPrice.json.id, priceId]);
    const oneTime = await call(app, { method: 'GET', url: `/v1/prices?type=one_time&product=${productId}`, headers: acme.auth });
    t.equal(oneTime.json.data.length, 2);
    await call(app, { method: 'PATCH', url: `/v1/prices/${basicPrice.json.id}`, headers: acme.auth, payload: { active: false } });
    const inactivePrices = await call(app, { method: 'GET', url: '/v1/prices?active=false', headers: acme.auth });
    t.same(inactivePrices.json.data.map((p: { id: string }) => p.id), [basicPrice.json.id]);

    const page1 = await call(app, { method: 'GET', url: '/v1/prices?limit=2', headers: acme.auth });
    t.equal(page1.json.data.length, 2);
    t.equal(page1.json.has_more, true);
    const page2 = await call(app, { method: 'GET', url: `/v1/prices?limit=2&starting_after=${page1.json.data[1].id}`, headers: acme.auth });
    t.equal(page2.json.data.length, 2);
    t.equal(page2.json.has_more, false);
    t.notOk(page2.json.data.some((p: { id: string }) => page1.json.data.some((q: { id: string }) => q.id === p.id)), 'no overlap');

    for (const bad of ['type=weekly', 'product=nope', 'active=maybe', 'starting_after=cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', 'bogus=1']) {
      const r = await call(app, { method: 'GET', url: `/v1/prices?${bad}`, headers: acme.auth });
      t.equal(r.status, 400, bad);
      t.equal(r.json.errors[0].location, 'query', bad);
    }
  });

  await t.test('another merchant gets 404 on every route, sees nothing, cannot price our product', async (t) => {
    const routes: Array<[string, string, object | undefined]> = [
      ['GET', `/v1/products/${productId}`, undefined],
      ['PATCH', `/v1/products/${productId}`, { name: 'Hijack' }],
      ['POST', `/v1/products/${productId}`, { name: 'Hijack' }],
      ['GET', `/v1/prices/${priceId}`, undefined],
      ['PATCH', `/v1/prices/${priceId}`, { nickname: 'Hijack' }],
      ['POST', `/v1/prices/${priceId}`, { nickname: 'Hijack' }],
    ];
    for (const [method, url, payload] of routes) {
      const r = await call(app, { method: method as 'GET', url, headers: other.auth, ...(payload ? { payload } : {}) });
      t.equal(r.status, 404, `${method} ${url}`);
      t.equal(r.json.type, PROBLEM + 'not_found');
      t.notOk(r.body.includes('Omtanke'), 'no data leaks');
    }
    for (const url of ['/v1/products', '/v1/products?active=false', '/v1/prices', `/v1/prices?product=${productId}`, '/v1/prices?active=false']) {
      const r = await call(app, { method: 'GET', url, headers: other.auth });
      t.equal(r.status, 200, url);
      t.same(r.json.data, [], url);
    }
    const steal = await call(app, { method: 'POST', url: '/v1/prices', headers: other.auth, payload: { product: productId, unit_amount: 1, type: 'one_time' } });
    t.equal(steal.status, 400);
    t.equal(steal.json.errors[0].field, 'product');
    const { rows } = await database.pool.query('select count(*)::int as n from prices where merchant_id = $1', [other.id]);
    t.equal(rows[0].n, 0, 'nothing written');
    const events = await call(app, { method: 'GET', url: '/v1/events?limit=100', headers: other.auth });
    t.same(events.json.data, [], 'no events for the other merchant');
    const mine = await call(app, { method: 'GET', url: `/v1/products/${productId}`, headers: acme.auth });
    t.equal(mine.json.name, 'Omtanke Pro 2', 'unchanged by the other merchant');
  });

  await t.test('events are recorded with the change', async (t) => {
    const created = await call(app, { method: 'GET', url: '/v1/events?type=price.created&limit=100', headers: acme.auth });
    t.equal(created.status, 200);
    t.equal(created.json.data.length, 4);
    const first = created.json.data.find((e: { data: { object: { id: string } } }) => e.data.object.id === priceId);
    t.match(first, { type: 'price.created', data: { object: { id: priceId, unit_amount: 29900, nickname: 'Pro monthly' } } });

    const updated = await call(app, { method: 'GET', url: `/v1/events?type=price.updated&object_id=${priceId}`, headers: acme.auth });
    t.equal(updated.json.data.length, 2, 'one per effective update; rejected updates record nothing');
    const oldest = updated.json.data.at(-1);
    t.same(oldest.data.previous_attributes, { nickname: 'Pro monthly', metadata: {}, active: true, updated_at: '2026-11-25T09:00:00.000Z' });

    const products = await call(app, { method: 'GET', url: '/v1/events?type=product.created', headers: acme.auth });
    t.equal(products.json.data.length, 2);
    const productUpdates = await call(app, { method: 'GET', url: `/v1/events?type=product.updated&object_id=${productId}`, headers: acme.auth });
    t.equal(productUpdates.json.data.length, 2);
    t.same(productUpdates.json.data[0].data.previous_attributes, { active: true, updated_at: '2026-11-25T09:01:00.000Z' });

    const noop = await call(app, { method: 'PATCH', url: `/v1/prices/${priceId}`, headers: acme.auth, payload: { active: true } });
    t.equal(noop.status, 200);
    const again = await call(app, { method: 'GET', url: `/v1/events?type=price.updated&object_id=${priceId}`, headers: acme.auth });
    t.equal(again.json.data.length, 2, 'a no-op update records nothing');
  });
});
