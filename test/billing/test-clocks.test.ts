// Test clocks: months of billing in seconds, in order, as of each billing date; live keys never
// touch them; customers on real time are not moved.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, PROBLEM, type Api } from './world.ts';

async function waitReady(api: Api, id: string): Promise<any> {
  for (let i = 0; i < 1000; i++) {
    const r = await api('GET', `/v1/test-clocks/${id}`);
    if (r.json.status === 'ready') return r.json;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('test clock did not become ready');
}

t.test('twelve months on a test clock: exactly twelve invoices per monthly subscription', async (t) => {
  const w = await billingWorld(t);
  const created = await w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-31T10:00:00Z', name: 'Year one' });
  t.equal(created.status, 201, created.body);
  t.match(created.json, { object: 'test_clock', livemode: false, status: 'ready', frozen_time: '2027-01-31T10:00:00.000Z', name: 'Year one' });
  const clock = created.json.id;
  t.match(clock, /^clock_[0-9A-Z]{26}$/);

  const simulated = await w.customer({ test_clock: clock });
  t.equal(simulated.test_clock, clock);
  const real = await w.customer({ name: 'Real Time' });
  const monthly = await w.monthlyPrice({ unit_amount: 10000 });
  const quarterly = await w.monthlyPrice({ unit_amount: 25000, interval: 'quarter' });

  // Created "on 31 January 2027" by the clock: the first invoice is dated then.
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: simulated.id, items: [{ price: monthly.id }] })).json;
  t.match(sub, { start_date: '2027-01-31', billing_anchor_day: 31, current_period_end: '2027-02-28' });
  const q = (await w.api('POST', '/v1/subscriptions', { customer: simulated.id, items: [{ price: quarterly.id }] })).json;
  const realSub = (await w.api('POST', '/v1/subscriptions', { customer: real.id, items: [{ price: monthly.id }] })).json;
  t.equal(realSub.start_date, '2026-11-25', 'a real-time customer is on real time');

  const advancing = await w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2028-01-31T10:00:00Z' });
  t.equal(advancing.status, 200, advancing.body);
  t.equal(advancing.json.status, 'advancing');
  t.equal(advancing.json.advancing_to, '2028-01-31T10:00:00.000Z');
  const again = await w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2028-02-01T10:00:00Z' });
  if (again.status !== 200) t.equal(again.status, 409, 'a second advance waits for the first');
  const ready = await waitReady(w.api, clock);
  t.equal(ready.advancing_to, null);

  const list = async (subId: string) => (await w.api('GET', `/v1/invoices?subscription=${subId}&limit=100`)).json.data.reverse();
  const invoices = await list(sub.id);
  const fromAdvance = invoices.slice(1);
  t.equal(fromAdvance.length, 12, 'twelve invoices in the jump');
  t.same(
    fromAdvance.map((i: any) => i.issue_date),
    ['2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31', '2027-06-30', '2027-07-31', '2027-08-31', '2027-09-30', '2027-10-31', '2027-11-30', '2027-12-31', '2028-01-31'],
    'each dated on its own billing day, in order',
  );
  t.same(fromAdvance.map((i: any) => i.period_start), fromAdvance.map((i: any) => i.issue_date));
  const seqs = invoices.map((i: any) => Number(i.number.replace('F-', '')));
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'numbered in the order they were issued');
  t.same(fromAdvance.map((i: any) => i.due_date).slice(0, 2), ['2027-03-30', '2027-04-30'], 'due dates from each issue date');
  t.same((await list(q.id)).map((i: any) => i.period_start), ['2027-01-31', '2027-04-30', '2027-07-31', '2027-10-31', '2028-01-31']);
  t.equal((await list(realSub.id)).length, 1, 'the real-time customer got nothing from the jump');

  // A later advance continues from there; going back is refused.
  const back = await w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2027-06-01T00:00:00Z' });
  t.equal(back.status, 400);
  t.equal(back.json.type, PROBLEM + 'validation_failed');
  await w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2028-03-01T00:00:00Z' });
  await waitReady(w.api, clock);
  t.same((await list(sub.id)).slice(13).map((i: any) => i.issue_date), ['2028-02-29'], 'a leap day');

  // Cancel at period end under the clock: the next advance ends it without a new invoice.
  const canceled = await w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'no_longer_needed', at_period_end: true, initiator: 'customer' });
  t.match(canceled.json, { cancel_at: '2028-03-31', canceled_at: '2028-03-01T00:00:00.000Z' });
  await w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2028-05-01T00:00:00Z' });
  await waitReady(w.api, clock);
  t.match((await w.api('GET', `/v1/subscriptions/${sub.id}`)).json, { status: 'canceled', ended_at: '2028-03-30T22:00:00.000Z' });
  t.equal((await list(sub.id)).length, 14);
});

t.test("webhook deliveries of the clock's customers fall due as if the jump had passed", async (t) => {
  const w = await billingWorld(t);
  const hook = await w.api('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks', enabled_events: ['*'] });
  t.equal(hook.status, 201, hook.body);
  const clock = (await w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-01T10:00:00Z' })).json.id;
  const simulated = await w.customer({ test_clock: clock });
  const real = await w.customer({ name: 'Real Time' });
  const due = async (objectId: string) => {
    const r = await w.database.db.execute(sql`
      select d.next_attempt_at from webhook_deliveries d join events e on e.merchant_id = d.merchant_id and e.id = d.event_id
      where e.object_id = ${objectId}`);
    return (r.rows as { next_attempt_at: string | Date }[]).map((x) => new Date(x.next_attempt_at).toISOString());
  };
  const [before] = await due(simulated.id);
  const [realBefore] = await due(real.id);
  await w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2027-01-31T10:00:00Z' });
  await waitReady(w.api, clock);
  t.same(await due(simulated.id), [new Date(Date.parse(before!) - 30 * 86_400_000).toISOString()], '30 days sooner');
  t.same(await due(real.id), [realBefore], 'real time untouched');
});

t.test('test clocks are test mode only', async (t) => {
  const w = await billingWorld(t);
  const clock = (await w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-01T00:00:00Z' })).json;
  const live = await w.merchant('Live AB', true);
  const liveApi: Api = (method, url, payload) => w.apiFor(live)(method, url, payload);
  for (const [method, url, body] of [
    ['POST', '/v1/test-clocks', { frozen_time: '2027-01-01T00:00:00Z' }],
    ['GET', '/v1/test-clocks', undefined],
    ['GET', `/v1/test-clocks/${clock.id}`, undefined],
    ['POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: '2028-01-01T00:00:00Z' }],
    ['DELETE', `/v1/test-clocks/${clock.id}`, undefined],
    ['POST', '/v1/customers', { name: 'Live kund', test_clock: clock.id }],
  ] as const) {
    const r = await liveApi(method, url, body);
    t.equal(r.status, 403, `${method} ${url}`);
    t.equal(r.json.type, PROBLEM + 'test_mode_only');
  }
  t.equal((await w.api('GET', `/v1/test-clocks/${clock.id}`)).json.frozen_time, '2027-01-01T00:00:00.000Z', 'untouched');

  const other = await w.seller('Other AB');
  t.equal((await w.apiFor(other)('GET', `/v1/test-clocks/${clock.id}`)).status, 404, "another merchant's clock does not exist");
  const bad = await w.api('POST', '/v1/customers', { name: 'X', test_clock: 'clock_00000000000000000000000000' });
  t.equal(bad.status, 400);
  for (const body of [{}, { frozen_time: 'yesterday' }, { frozen_time: '2027-01-01T00:00:00Z', extra: 1 }]) {
    t.equal((await w.api('POST', '/v1/test-clocks', body)).status, 400, JSON.stringify(body));
  }
  const del = await w.api('DELETE', `/v1/test-clocks/${clock.id}`);
  t.same(del.json, { id: clock.id, object: 'test_clock', deleted: true });
  t.equal((await w.api('GET', `/v1/test-clocks/${clock.id}`)).status, 404);
});

t.test('Unix seconds for frozen_time; no changes for a customer while their clock advances', async (t) => {
  const w = await billingWorld(t);
  const created = await w.api('POST', '/v1/test-clocks', { frozen_time: 1798761600 }); // 2027-01-01T00:00:00Z
  t.equal(created.status, 201, created.body);
  t.equal(created.json.frozen_time, '2027-01-01T00:00:00.000Z');
  const clock = created.json.id;
  const cus = await w.customer({ test_clock: clock });
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  // As if an advance were under way (the catch-up holds the clock at an intermediate step).
  await w.database.db.execute(sql`update test_clocks set status = 'advancing', target_time = '2027-06-01T00:00:00Z' where id = ${clock}`);
  const r = await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] });
  t.equal(r.status, 409, r.body);
  t.equal(r.json.type, PROBLEM + 'invalid_state');
  t.equal((await w.api('DELETE', `/v1/test-clocks/${clock}`)).status, 409, 'not deleted mid-advance');
  await w.database.db.execute(sql`update test_clocks set status = 'ready', target_time = null where id = ${clock}`);
  t.equal((await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).status, 201);
  const advanced = await w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: 1801440000 }); // 2027-02-01
  t.equal(advanced.status, 200, advanced.body);
  t.equal((await waitReady(w.api, clock)).frozen_time, '2027-02-01T00:00:00.000Z');
});
