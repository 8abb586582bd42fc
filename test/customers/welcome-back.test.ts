// Welcome back: a former customer created again is pointed to, not duplicated, and comes back
// with their earlier choices in force.
import t from 'tap';
import { billingWorld, PROBLEM } from '../billing/world.ts';

t.test('a former customer is not duplicated and comes back with their choices', async (t) => {
  const w = await billingWorld(t);
  const price = await w.monthlyPrice({ unit_amount: 19900, tax_behavior: 'inclusive' });
  const anna = await w.customer({ external_id: 'crm-1', email: 'anna@example.se', payment_method: { type: 'swish', phone: '0701234567' }, delivery: { type: 'kivra' } });
  const sub = await w.api('POST', '/v1/subscriptions', { customer: anna.id, items: [{ price: price.id, quantity: 1 }] });
  t.equal(sub.status, 201, sub.body);

  // While current, a second customer with the same national id is allowed (households, as before).
  const twin = await w.customer({ email: null, external_id: null });
  t.not(twin.id, anna.id);

  w.clock.advance(24 * 3600_000);
  t.equal((await w.api('POST', `/v1/subscriptions/${sub.json.id}/cancel`, { reason: 'too_expensive', at_period_end: false })).status, 200);
  t.equal((await w.api('POST', `/v1/customers/${anna.id}/archive`)).status, 200);

  for (const [field, body] of [
    ['external_id', { name: 'Anna A', external_id: 'crm-1' }],
    ['email', { name: 'Anna A', email: 'anna@example.se' }],
  ] as const) {
    const r = await w.api('POST', '/v1/customers', body);
    t.equal(r.status, 409, r.body);
    t.equal(r.json.type, `${PROBLEM}customer_exists`);
    t.equal(r.json.customer, anna.id, 'points at the existing customer');
    t.equal(r.json.errors[0].field, field);
  }
  // The national id key: the twin is current, but Anna (archived) is a former customer.
  const byId = await w.api('POST', '/v1/customers', { name: 'Anna A', national_id: '198112189876' });
  t.equal(byId.status, 409);
  t.equal(byId.json.customer, anna.id);
  t.equal(byId.json.errors[0].field, 'national_id');
  t.equal((await w.api('GET', '/v1/customers?limit=100&archived=true')).json.data.length, 1, 'nothing created');

  w.clock.advance(30 * 24 * 3600_000);
  const back = await w.api('POST', `/v1/customers/${anna.id}/unarchive`);
  t.equal(back.status, 200, back.body);
  t.match(back.json, {
    archived: false,
    returning: true,
    returned_at: '2026-12-26T09:00:00.000Z',
    first_subscribed_at: '2026-11-25T09:00:00.000Z',
    payment_method: { type: 'swish', phone: '+46701234567', default: false },
    delivery: { type: 'kivra', default: false },
  });
  t.equal(back.json.earlier_tenure.length, 1);
  t.equal(back.json.earlier_tenure[0].started_at, '2026-11-25T09:00:00.000Z');
  t.equal((await w.api('POST', `/v1/customers/${anna.id}/unarchive`)).status, 200, 'again: nothing happens');
  const returned = (await w.api('GET', `/v1/events?type=customer.returned`)).json.data;
  t.equal(returned.length, 1, 'customer.returned once');
  t.equal(returned[0].data.object.id, anna.id);
  // Their next subscription's invoice uses the earlier choices without asking again.
  const again = await w.api('POST', '/v1/subscriptions', { customer: anna.id, items: [{ price: price.id, quantity: 1 }] });
  t.equal(again.status, 201, again.body);
  const inv = (await w.api('GET', `/v1/invoices?subscription=${again.json.id}`)).json.data[0];
  t.match(inv.payment_method, { type: 'swish' });
  t.match(inv.delivery, { type: 'kivra' });
  // A current customer again: a create with her external_id is the ordinary conflict.
  t.equal((await w.api('POST', '/v1/customers', { name: 'X', external_id: 'crm-1' })).json.code, 'external_id_taken');
});

t.test('every subscription ended (not archived) is a former customer too', async (t) => {
  const w = await billingWorld(t);
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  const c = await w.customer({ national_id: '19900101-0017', email: 'bo@example.se' });
  const sub = await w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id, quantity: 1 }] });
  t.equal(sub.status, 201, sub.body);
  t.equal((await w.api('POST', '/v1/customers', { name: 'Bo', email: 'bo@example.se' })).status, 201, 'current: allowed');
  await w.api('POST', `/v1/subscriptions/${sub.json.id}/cancel`, { reason: 'other', at_period_end: false });
  const r = await w.api('POST', '/v1/customers', { name: 'Bo', national_id: '199001010017' });
  t.equal(r.status, 409, r.body);
  t.equal(r.json.customer, c.id);
});

t.test('a new subscription brings a former customer back: returning, customer.returned once', async (t) => {
  const w = await billingWorld(t);
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  const c = await w.customer({ national_id: '19900101-0017', email: 'bo@example.se' });
  const first = await w.must(w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id, quantity: 1 }] }), 201, 'first');
  t.equal((await w.api('GET', `/v1/customers/${c.id}`)).json.returning, false, 'a first subscription is no return');
  await w.must(w.api('POST', `/v1/subscriptions/${first.id}/cancel`, { reason: 'other', at_period_end: false }), 200, 'cancel');

  w.clock.advance(40 * 24 * 3600_000);
  await w.must(w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id, quantity: 1 }] }), 201, 'back');
  const back = (await w.api('GET', `/v1/customers/${c.id}`)).json;
  t.equal(back.returning, true);
  t.ok(back.returned_at, 'returned_at stamped');
  t.equal(back.earlier_tenure.length, 1, 'the earlier subscription is their tenure');

  // A second subscription while the first of the return is live is no further return.
  await w.must(w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id, quantity: 2 }] }), 201, 'another');
  const returned = (await w.api('GET', `/v1/events?type=customer.returned&object_id=${c.id}`)).json.data;
  t.equal(returned.length, 1, 'customer.returned once');
});

t.test('concurrent subscription creates for one customer take turns (no deadlock, keys replay)', async (t) => {
  const w = await billingWorld(t, { poolMax: 4 });
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  const c = await w.customer({ email: 'par@example.se' });
  // Credit on the customer: every first invoice uses some of it (the customer row is written).
  await w.must(w.api('POST', '/v1/payments', { amount: 25000, customer: c.id }), 201, 'credit');
  const { call } = await import('../helpers/app.ts');
  const results = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      call(w.app, {
        method: 'POST',
        url: '/v1/subscriptions',
        headers: { ...w.m.auth, 'idempotency-key': `sub-${i % 8}` },
        payload: { customer: c.id, items: [{ price: price.id, quantity: 1 }] },
      }),
    ),
  );
  for (const r of results) t.ok(r.status === 201 || r.status === 409, `${r.status} ${r.body.slice(0, 200)}`);
  t.ok(results.every((r) => r.status !== 500), 'no deadlock surfaced as a 500');
  const subs = (await w.api('GET', `/v1/subscriptions?customer=${c.id}&limit=100`)).json.data;
  t.equal(subs.length, 8, 'one subscription per key');
  const customer = (await w.api('GET', `/v1/customers/${c.id}`)).json;
  t.equal(customer.balance, 0, 'the credit was used up, never below zero');
});
