// Bursts as an SDK sends them: an Idempotency-Key on every POST and more requests at once than the
// pool has connections. Each idempotent request holds one transaction connection and its use case
// runs every query on it, so a pool of 2 serves 50 concurrent creates of every resource (before the
// unit of work was explicit, reads through the pool deadlocked once requests outnumbered it). The
// same keys again replay the first responses. Work started by a request (a billing run, a clock
// advance) is a job taken after commit, so it reaches its end too.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { call } from '../helpers/app.ts';
import { billingWorld } from '../billing/world.ts';

const N = 50;

t.test('a pool of 2, bursts of 50 idempotent POSTs on every resource', async (t) => {
  const w = await billingWorld(t, { poolMax: 2 });
  const price = await w.monthlyPrice({ unit_amount: 19900 });
  const product = await w.product('Burst');
  const customer = await w.customer();

  /** N requests at once, each with its own key; all must succeed, and replaying them must give the same answers. */
  async function burst(what: string, status: number, request: (i: number) => { url: string; payload?: Record<string, unknown> }): Promise<any[]> {
    const sent = Array.from({ length: N }, (_, i) => ({ ...request(i), key: randomUUID() }));
    const send = (r: (typeof sent)[number]) =>
      call(w.app, { method: 'POST', url: r.url, headers: { ...w.m.auth, 'idempotency-key': r.key }, ...(r.payload ? { payload: r.payload } : {}) });
    const first = await Promise.all(sent.map(send));
    const failed = first.filter((r) => r.status !== status);
    t.equal(failed.length, 0, `${what}: ${N} concurrent idempotent POSTs answer ${status}${failed[0] ? ` (got ${failed[0].status} ${failed[0].body})` : ''}`);
    const again = await Promise.all(sent.map(send));
    t.ok(
      again.every((r, i) => r.status === first[i]!.status && r.body === first[i]!.body && r.headers['idempotent-replayed'] === 'true'),
      `${what}: the same keys replay the first responses`,
    );
    return first.map((r) => r.json);
  }

  const customers = await burst('customers', 201, (i) => ({ url: '/v1/customers', payload: { name: `Kund ${i} Åström`, email: `k${i}@example.se`, external_id: `crm-${i}` } }));
  await burst('products', 201, (i) => ({ url: '/v1/products', payload: { name: `Produkt ${i}` } }));
  await burst('prices', 201, (i) => ({ url: '/v1/prices', payload: { product: product.id, unit_amount: 1000 + i, type: 'recurring', recurring: { interval: 'month', interval_count: 1 } } }));
  const subs = await burst('subscriptions', 201, (i) => ({ url: '/v1/subscriptions', payload: { customer: customers[i].id, items: [{ price: price.id }] } }));
  const numbers = (await Promise.all(subs.map((s) => w.api('GET', `/v1/invoices?subscription=${s.id}`)))).map((r) => r.json.data[0]?.number);
  t.equal(new Set(numbers.filter(Boolean)).size, N, 'every subscription got its own numbered first invoice');
  const invoices = await burst('invoices', 201, () => ({ url: '/v1/invoices', payload: { customer: customer.id, auto_finalize: true, lines: [{ description: 'Konsult', unit_amount: 50000 }] } }));
  await burst('credit notes', 201, (i) => ({ url: '/v1/credit-notes', payload: { invoice: invoices[i].id, amount: 1000 } }));
  await burst('invoice payments', 200, (i) => ({ url: `/v1/invoices/${invoices[i].id}/pay`, payload: { amount: 100 } }));
  await burst('payment plan offers', 200, (i) => ({ url: `/v1/invoices/${invoices[i].id}/payment-plan-offers`, payload: { instalments: 2 + (i % 23) } }));
  const plans = await burst('payment plans', 201, (i) => ({ url: '/v1/payment-plans', payload: { customer: customer.id, invoices: [invoices[i].id], instalments: 3 } }));
  await burst('payment plan cancels', 200, (i) => ({ url: `/v1/payment-plans/${plans[i].id}/cancel` }));
  await burst('subscription cancels', 200, (i) => ({ url: `/v1/subscriptions/${subs[i].id}/cancel`, payload: { reason: 'too_expensive', prorate: true } }));
  await burst('customer archives', 200, (i) => ({ url: `/v1/customers/${customers[i].id}/archive` }));
  await burst('webhook endpoints', 201, (i) => ({ url: '/v1/webhook-endpoints', payload: { url: `http://127.0.0.1:9/hooks/${i}`, enabled_events: ['*'] } }));
  await burst('api keys', 201, (i) => ({ url: '/v1/api-keys', payload: { name: `key ${i}` } }));
  const clocks = await burst('test clocks', 201, (i) => ({ url: '/v1/test-clocks', payload: { frozen_time: '2027-01-01T00:00:00Z', name: `c${i}` } }));
  await burst('test clock advances', 200, (i) => ({ url: `/v1/test-clocks/${clocks[i].id}/advance`, payload: { frozen_time: '2027-03-01T00:00:00Z' } }));
  const runs = await burst('billing runs', 202, () => ({ url: '/v1/billing-runs' }));

  // The background work those requests started finishes: clocks ready, runs completed.
  const settled = async (url: (i: number) => string, done: (j: any) => boolean) => {
    for (let attempt = 0; attempt < 600; attempt++) {
      const all = await Promise.all(Array.from({ length: N }, (_, i) => w.api('GET', url(i))));
      if (all.every((r) => done(r.json))) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  t.ok(await settled((i) => `/v1/test-clocks/${clocks[i].id}`, (c) => c.status === 'ready' && c.frozen_time === '2027-03-01T00:00:00.000Z'), 'every advanced clock reaches ready');
  t.ok(await settled((i) => `/v1/billing-runs/${runs[i].id}`, (r) => r.status === 'completed'), 'every billing run completes');
  t.notOk(w.logLines.some((l) => /unit of work|timeout exceeded|deadlock/.test(l)), 'no pool misuse, timeouts or deadlocks in the log');
});

t.test('a billing run for a test clock, started with a key, bills that clock as of its time', async (t) => {
  const w = await billingWorld(t, { poolMax: 2 });
  const price = await w.monthlyPrice({ unit_amount: 9900 });
  const clock = (await w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-15T10:00:00Z' })).json;
  const c = await w.customer({ test_clock: clock.id });
  const sub = await w.must(w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id }] }), 201, 'subscription');
  t.equal(sub.current_period_end, '2027-02-15');
  // Move the clock's time past the period end directly, as an advance interrupted before its catch-up would leave it.
  await w.database.pool.query(`update test_clocks set frozen_time = '2027-02-16T10:00:00Z' where id = $1`, [clock.id]);
  const started = await call(w.app, { method: 'POST', url: '/v1/billing-runs', headers: { ...w.m.auth, 'idempotency-key': randomUUID() }, payload: { test_clock: clock.id } });
  t.equal(started.status, 202, started.body);
  t.match(started.json, { test_clock: clock.id, as_of: '2027-02-16T10:00:00.000Z', subscriptions_due: 1 });
  let run: any;
  for (let i = 0; i < 400 && run?.status !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 25));
    run = (await w.api('GET', `/v1/billing-runs/${started.json.id}`)).json;
  }
  t.match(run, { status: 'completed', invoices_created: 1 });
  const invoices = (await w.api('GET', `/v1/invoices?subscription=${sub.id}`)).json.data;
  t.same(invoices.map((i: any) => [i.period_start, i.issue_date]), [['2027-02-15', '2027-02-16'], ['2027-01-15', '2027-01-15']], 'the next period is invoiced as of the clock’s time');

  // A POST whose body fields are all optional may come without a body (as the burst's runs did).
  const draft = await w.must(w.api('POST', '/v1/invoices', { customer: c.id, auto_finalize: true, lines: [{ description: 'Extra', unit_amount: 5000 }] }), 201, 'invoice');
  const paid = await call(w.app, { method: 'POST', url: `/v1/invoices/${draft.id}/pay`, headers: w.m.auth });
  t.match({ status: paid.status, json: paid.json }, { status: 200, json: { status: 'paid' } }, 'pay with no body pays the whole amount');
  const noop = await call(w.app, { method: 'PATCH', url: `/v1/customers/${c.id}`, headers: w.m.auth });
  t.equal(noop.status, 200, 'a PATCH with no body changes nothing');

  const unknown = await w.api('POST', '/v1/billing-runs', { test_clock: 'clock_00000000000000000000000000' });
  t.equal(unknown.status, 400);
  t.match(unknown.json.errors, [{ field: 'test_clock' }]);
  const other = await w.seller('Annan AB');
  const foreign = await call(w.app, { method: 'POST', url: '/v1/billing-runs', headers: other.auth, payload: { test_clock: clock.id } });
  t.equal(foreign.status, 400, "another merchant's clock does not exist for them");
});
