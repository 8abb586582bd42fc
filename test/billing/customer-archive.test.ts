// Archiving a customer who still has a subscription that bills is refused (409, naming the
// subscriptions): billing never goes on for a customer hidden from the lists, and no subscription
// ends without the reason and initiator only the merchant can give. A canceled subscription of
// an archived customer is not reactivated either; and a concurrent archive and subscription
// create never leave an archived customer with a live subscription.
import t from 'tap';
import { call } from '../helpers/app.ts';
import { billingWorld, PROBLEM } from './world.ts';

t.test('archiving a customer with live subscriptions', async (t) => {
  const w = await billingWorld(t);
  const { api, must, customer, monthlyPrice, database } = w;
  const price = await monthlyPrice({ unit_amount: 19900 });
  const anna = await customer();
  const trial = await must(api('POST', '/v1/subscriptions', { customer: anna.id, price: price.id, trial_period_days: 14 }), 201, 'trial');
  const active = await must(api('POST', '/v1/subscriptions', { customer: anna.id, price: price.id }), 201, 'active');

  const eventsBefore = (await api('GET', `/v1/events?object_id=${anna.id}&limit=100`)).json.data.length;
  for (const [method, url] of [
    ['POST', `/v1/customers/${anna.id}/archive`],
    ['DELETE', `/v1/customers/${anna.id}`],
  ] as const) {
    const r = await api(method, url);
    t.equal(r.status, 409, `${method} ${url}`);
    t.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.equal(r.json.type, `${PROBLEM}customer_has_live_subscriptions`);
    t.equal(r.json.code, 'customer_has_live_subscriptions');
    t.match(r.json.detail, trial.id, 'names the trialing subscription');
    t.match(r.json.detail, active.id, 'names the active subscription');
  }
  const still = await must(api('GET', `/v1/customers/${anna.id}`), 200, 'customer');
  t.equal(still.archived_at, null, 'not archived');
  t.equal((await api('GET', `/v1/events?object_id=${anna.id}&limit=100`)).json.data.length, eventsBefore, 'no event');

  // Canceled at period end still bills nothing more but is live until then: still refused.
  await must(api('POST', `/v1/subscriptions/${active.id}/cancel`, { reason: 'too_expensive', at_period_end: true }), 200, 'cancel at period end');
  await must(api('POST', `/v1/subscriptions/${trial.id}/cancel`, { reason: 'no_longer_needed' }), 200, 'cancel trial now');
  const pending = await api('POST', `/v1/customers/${anna.id}/archive`);
  t.equal(pending.status, 409);
  t.match(pending.json.detail, active.id);
  t.notMatch(pending.json.detail, trial.id, 'a canceled subscription is not named');

  await must(api('POST', `/v1/subscriptions/${active.id}/cancel`, { reason: 'too_expensive', initiator: 'customer' }), 200, 'cancel now');
  const archived = await must(api('POST', `/v1/customers/${anna.id}/archive`), 200, 'archive');
  t.not(archived.archived_at, null);

  // No live subscription for an archived customer: no new one, no reactivated one.
  const create = await api('POST', '/v1/subscriptions', { customer: anna.id, price: price.id });
  t.equal(create.status, 400);
  t.equal(create.json.errors[0].field, 'customer');
  const reactivate = await api('POST', `/v1/subscriptions/${trial.id}/reactivate`);
  t.equal(reactivate.status, 409);
  t.equal(reactivate.json.code, 'invalid_state');
  t.match(reactivate.json.detail, /archived/);
  t.equal((await must(api('GET', `/v1/subscriptions/${trial.id}`), 200, 'sub')).status, 'canceled');

  // Unarchived, the customer's subscription can come back.
  await must(api('POST', `/v1/customers/${anna.id}/unarchive`), 200, 'unarchive');
  t.equal((await must(api('POST', `/v1/subscriptions/${trial.id}/reactivate`), 200, 'reactivate')).status, 'trialing');

  const { rows } = await database.pool.query(
    `select count(*)::int as n from customers c join subscriptions s on s.customer_id = c.id and s.merchant_id = c.merchant_id
      where c.archived_at is not null and s.status <> 'canceled'`,
  );
  t.equal(rows[0].n, 0);
});

t.test('archive racing subscription creates (with idempotency keys) never leaves a live subscription on an archived customer', async (t) => {
  const w = await billingWorld(t, { poolMax: 8 });
  const { app, m, must, customer, monthlyPrice, database } = w;
  const price = await monthlyPrice({ unit_amount: 9900 });
  const rounds = 12;
  const seen = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    const c = await customer({ email: `race${round}@example.se`, national_id: null }); // each round's customer is archived: a former one would match the next (customer_exists)
    const post = (url: string, key: string, payload?: unknown) =>
      call(app, { method: 'POST', url, headers: { ...m.auth, 'idempotency-key': key }, ...(payload ? { payload: payload as object } : {}) });
    // A burst bigger than the pool: creates for the customer, and archives sent a few ms into them
    // so that either side can win.
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        if (i % 3 !== 0) return { kind: 'create', r: await post('/v1/subscriptions', `s-${round}-${i}`, { customer: c.id, price: price.id }) };
        await new Promise((res) => setTimeout(res, (round % 4) * 3));
        return { kind: 'archive', r: await post(`/v1/customers/${c.id}/archive`, `a-${round}-${i}`) };
      }),
    );
    for (const { kind, r } of results) {
      const outcome = `${kind} ${r.status}`;
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
      if (![200, 201, 400, 409].includes(r.status)) t.fail(`${outcome}: ${r.body.slice(0, 300)}`);
      if (r.status === 409) t.equal(r.json.code, 'customer_has_live_subscriptions', outcome);
      if (r.status === 400) t.match(r.json.detail, /customer is archived/, outcome);
    }
  }
  t.comment(JSON.stringify(Object.fromEntries(seen)));
  const { rows } = await database.pool.query(
    `select c.id, s.id as sub from customers c join subscriptions s on s.customer_id = c.id and s.merchant_id = c.merchant_id
      where c.archived_at is not null and s.status <> 'canceled'`,
  );
  t.same(rows, [], 'no archived customer has a live subscription');
});
