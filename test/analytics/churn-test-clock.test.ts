// Churn figures of histories made through the API on a test clock: subscriptions started, canceled
// now and at period end (ended by the billing run during an advance), a return, and the former
// customers list read at the clock's time. Business time is the clock's throughout; the dunning
// process runs as it would (an unpaid invoice escalated makes a churn involuntary).
import t from 'tap';
import { billingWorld, type Api } from '../billing/world.ts';

async function advance(api: Api, clock: string, to: string): Promise<void> {
  const r = await api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: to });
  if (r.status !== 200) throw new Error(r.body);
  for (let i = 0; i < 2000; i++) {
    if ((await api('GET', `/v1/test-clocks/${clock}`)).json.status === 'ready') return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('test clock did not become ready');
}

t.test('a test-clock history through the API', async (t) => {
  const w = await billingWorld(t);
  const clock = (await w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-10T10:00:00Z', name: 'Churn' })).json.id;
  const x = await w.customer({ name: 'Xenia', test_clock: clock });
  const y = await w.customer({ name: 'Yngve', email: 'yngve@example.se', test_clock: clock });
  const monthly = await w.monthlyPrice({ unit_amount: 10_000, product_name: 'Tidning' });
  const quarterly = await w.monthlyPrice({ unit_amount: 37_500, interval: 'quarter', tax_behavior: 'inclusive', vat_rate: 25 });

  // Xenia: 375 kr a quarter with VAT = 300 kr net = 100 kr a month; Yngve: 2 × 100 kr a month.
  const xs = await w.must(w.api('POST', '/v1/subscriptions', { customer: x.id, items: [{ price: quarterly.id }] }), 201, 'x');
  const ys = await w.must(w.api('POST', '/v1/subscriptions', { customer: y.id, items: [{ price: monthly.id, quantity: 2 }] }), 201, 'y');
  t.equal(xs.start_date, '2027-01-10');

  await advance(w.api, clock, '2027-02-15T10:00:00Z');
  // Yngve leaves at the end of the paid period (10 March), Xenia now, involuntarily.
  await w.must(w.api('POST', `/v1/subscriptions/${ys.id}/cancel`, { reason: 'too_expensive', initiator: 'customer', at_period_end: true }), 200, 'cancel y');
  await w.must(w.api('POST', `/v1/subscriptions/${xs.id}/cancel`, { reason: 'payment_problems', initiator: 'involuntary' }), 200, 'cancel x');
  await advance(w.api, clock, '2027-04-05T10:00:00Z');
  const ended = (await w.api('GET', `/v1/subscriptions/${ys.id}`)).json;
  t.match(ended, { status: 'canceled' }, 'the billing run ended it during the advance');
  // Xenia comes back.
  await w.must(w.api('POST', '/v1/subscriptions', { customer: x.id, items: [{ price: monthly.id, quantity: 3 }] }), 201, 'x again');

  // Yngve never paid: his first invoice (due 9 February) went to the collection agency on 9 March,
  // the day before his subscription ended. His churn is involuntary, whatever reason he gave.
  const first = (await w.api('GET', `/v1/invoices?customer=${y.id}&limit=100`)).json.data.find((i: any) => i.due_date === '2027-02-09');
  t.match((await w.api('GET', `/v1/invoices/${first.id}/dunning`)).json, { status: 'escalated', escalated_at: '2027-03-09T07:00:00.000Z' });
  const res = await w.api('GET', '/v1/analytics/churn?from=2027-01-01&to=2027-05-01');
  t.equal(res.status, 200, res.body);
  const row = (p: any) => [p.customers_at_start, p.new_customers, p.returning_customers, p.churned_customers, p.voluntary_churn, p.involuntary_churn, p.churn_by_reason, p.mrr];
  t.same(res.json.periods.map(row), [
    [0, 2, 0, 0, 0, 0, [], [{ currency: 'SEK', at_start: 0, new: 30_000, returning: 0, expansion: 0, contraction: 0, churned: 0, at_end: 30_000, net_revenue_churn_bp: null }]],
    [2, 0, 0, 1, 0, 1, [{ reason: 'payment_problems', customers: 1 }], [{ currency: 'SEK', at_start: 30_000, new: 0, returning: 0, expansion: 0, contraction: 0, churned: 10_000, at_end: 20_000, net_revenue_churn_bp: 3333 }]],
    [1, 0, 0, 1, 0, 1, [{ reason: 'too_expensive', customers: 1 }], [{ currency: 'SEK', at_start: 20_000, new: 0, returning: 0, expansion: 0, contraction: 0, churned: 20_000, at_end: 0, net_revenue_churn_bp: 10_000 }]],
    [0, 0, 1, 0, 0, 0, [], [{ currency: 'SEK', at_start: 0, new: 0, returning: 30_000, expansion: 0, contraction: 0, churned: 0, at_end: 30_000, net_revenue_churn_bp: null }]],
  ]);

  // Ended at midnight of 10 March (Stockholm) by the run, 59 days after its start; the clock says 5 April 12:00.
  const former = await w.api('GET', '/v1/analytics/former-customers');
  t.equal(former.status, 200, former.body);
  t.same(former.json.data.map((f: any) => [f.name, f.ended_at, f.tenure_days, f.days_since_leaving, f.cancellation_reason, f.involuntary]), [
    ['Yngve', '2027-03-09T23:00:00.000Z', 59, 26, 'too_expensive', true],
  ]);
});
