// GET /v1/analytics/churn, churn.csv, cohorts and former-customers over a hand-made history with
// the answers worked out by hand (below, per customer), then over generated histories against an
// independent recomputation, merchants kept apart, and bad parameters.
import t from 'tap';
import { buildTestApp, call } from '../helpers/app.ts';
import { newId } from '../../src/db/ids.ts';
import { generateHistory, localDateOf, price, recompute, recomputeCohorts, recomputeFormer, stockholmMidnight, writeHistory, type History, type HSub } from './churn-history.ts';

const at = (iso: string) => new Date(iso);

/**
 * Ten customers, Europe/Stockholm, periods January to April 2026 (MRR in öre, without VAT):
 *  A  monthly 100 kr from 2025-12-01; upgraded to 200 kr on 10 Feb         expansion 10 000 (Feb)
 *  B  yearly 1 200 kr from 2025-12-15, ended 20 Jan, too_expensive          churn, voluntary (Jan)
 *  C  quarterly 375 kr VAT included (= 100 kr/month net) + a one-time price, from 5 Jan;
 *     ended 30 Apr 23:59:59 local, no_longer_needed                           new (Jan), churn (Apr)
 *  D  monthly 100 kr from 2025-11-01, ended 3 Feb (a card collection failed 25 Jan), payment_problems:
 *     involuntary churn (Feb); back on 10 Mar with 2 × 100 kr                 returning 20 000 (Mar)
 *  E  3 × 100 kr from 2025-10-01, down to 1 on 5 Mar, ended 20 Mar by initiator involuntary, no reason
 *                                                                             contraction 20 000, churn 10 000 (Mar)
 *  F  a trial from 10 Jan to 24 Jan, canceled on 20 Jan: never a customer
 *  G  monthly 100 kr from 1 Feb; switched to 200 kr starting 15 Feb, the old one ended 15 Feb 13:00 local:
 *     new 10 000, expansion 20 000, contraction 10 000 (Feb), no churn
 *  H  10 EUR a month from 2025-12-01, throughout
 *  I  monthly 100 kr scheduled from 10 Apr                                    new (Apr)
 *  J  monthly 100 kr from 2025-12-01, ended 2 Apr, other; its payment plan defaulted 15 Mar: involuntary (Apr)
 *  K  monthly 100 kr from 15 Jan, ended at 1 May 00:00 local exactly, switched_provider: new (Jan), churn in May
 */
function handMade(): { h: History; id: Record<string, string>; subs: Record<string, HSub> } {
  const m100 = price({ currency: 'SEK', unitAmount: 10_000, interval: 'month' });
  const m200 = price({ currency: 'SEK', unitAmount: 20_000, interval: 'month' });
  const y1200 = price({ currency: 'SEK', unitAmount: 120_000, interval: 'year' });
  const q375 = price({ currency: 'SEK', unitAmount: 37_500, interval: 'quarter', taxBehavior: 'inclusive' });
  const once = price({ currency: 'SEK', unitAmount: 50_000, interval: null });
  const eur = price({ currency: 'EUR', unitAmount: 1000, interval: 'month', vatRate: 0 });
  const id = Object.fromEntries('ABCDEFGHIJK'.split('').map((k) => [k, newId('customer')]));
  const sub = (c: string, s: Omit<HSub, 'id' | 'customerId' | 'currency'> & { currency?: string }): HSub => ({ id: newId('subscription'), customerId: id[c]!, currency: 'SEK', ...s });
  const subs = {
    A: sub('A', { startDate: '2025-12-01', items: [{ price: m100.id, quantity: 1 }], changes: [{ at: at('2026-02-10T09:00:00Z'), items: [{ price: m200.id, quantity: 1 }] }] }),
    B: sub('B', { startDate: '2025-12-15', items: [{ price: y1200.id, quantity: 1 }], endedAt: at('2026-01-20T10:00:00Z'), reason: 'too_expensive', initiator: 'customer' }),
    C: sub('C', { startDate: '2026-01-05', items: [{ price: q375.id, quantity: 1 }, { price: once.id, quantity: 1 }], endedAt: at('2026-04-30T21:59:59Z'), reason: 'no_longer_needed', initiator: 'customer' }),
    D1: sub('D', { startDate: '2025-11-01', items: [{ price: m100.id, quantity: 1 }], endedAt: at('2026-02-03T08:00:00Z'), reason: 'payment_problems', initiator: 'merchant' }),
    D2: sub('D', { startDate: '2026-03-10', items: [{ price: m100.id, quantity: 2 }] }),
    E: sub('E', { startDate: '2025-10-01', items: [{ price: m100.id, quantity: 3 }], changes: [{ at: at('2026-03-05T12:00:00Z'), items: [{ price: m100.id, quantity: 1 }] }], endedAt: at('2026-03-20T12:00:00Z'), reason: null, initiator: 'involuntary' }),
    F: sub('F', { startDate: '2026-01-10', trialEnd: '2026-01-24', items: [{ price: m100.id, quantity: 1 }], endedAt: at('2026-01-20T12:00:00Z'), reason: 'other', initiator: 'customer' }),
    G1: sub('G', { startDate: '2026-02-01', items: [{ price: m100.id, quantity: 1 }], endedAt: at('2026-02-15T12:00:00Z'), reason: 'other', initiator: 'customer' }),
    G2: sub('G', { startDate: '2026-02-15', items: [{ price: m200.id, quantity: 1 }] }),
    H: sub('H', { startDate: '2025-12-01', currency: 'EUR', items: [{ price: eur.id, quantity: 1 }] }),
    I: sub('I', { startDate: '2026-04-10', items: [{ price: m100.id, quantity: 1 }] }),
    J: sub('J', { startDate: '2025-12-01', items: [{ price: m100.id, quantity: 1 }], endedAt: at('2026-04-02T10:00:00Z'), reason: 'other', initiator: 'customer' }),
    K: sub('K', { startDate: '2026-01-15', items: [{ price: m100.id, quantity: 1 }], endedAt: at('2026-04-30T22:00:00Z'), reason: 'switched_provider', initiator: 'customer' }),
  };
  const h: History = {
    customers: Object.entries(id).map(([name, cid]) => ({ id: cid, name })),
    prices: [m100, m200, y1200, q375, once, eur],
    subs: Object.values(subs),
    failedCollections: [{ customerId: id.D!, at: at('2026-01-25T06:00:00Z') }],
    defaultedPlans: [{ customerId: id.J!, at: at('2026-03-15T06:00:00Z') }],
    // An escalation long before B left (more than 90 days) does not make B's churn involuntary.
    escalations: [{ customerId: id.B!, at: at('2025-09-01T06:00:00Z') }],
  };
  return { h, id, subs };
}

const eurFlat = { currency: 'EUR', at_start: 1000, new: 0, returning: 0, expansion: 0, contraction: 0, churned: 0, at_end: 1000, net_revenue_churn_bp: 0 };

t.test('a hand-made history: every figure as worked out by hand', async (t) => {
  const { app, database, merchant } = await buildTestApp(t);
  const m = await merchant('Acme AB');
  const other = await merchant('Other AB');
  const { h, id, subs } = handMade();
  await writeHistory(database.db, m.id, h);
  await writeHistory(database.db, other.id, generateHistory(5, 30));

  const res = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2026-01-01&to=2026-05-01&interval=month', headers: m.auth });
  t.equal(res.status, 200, res.body.slice(0, 300));
  t.match(res.json, { object: 'churn_analytics', livemode: false, from: '2026-01-01', to: '2026-05-01', interval: 'month', currency: null, time_zone: 'Europe/Stockholm' });
  t.same(res.json.periods, [
    {
      start: '2026-01-01', end: '2026-02-01',
      customers_at_start: 6, new_customers: 2, returning_customers: 0, churned_customers: 1, customers_at_end: 7, logo_churn_rate_bp: 1667,
      voluntary_churn: 1, involuntary_churn: 0, churn_by_reason: [{ reason: 'too_expensive', customers: 1 }],
      mrr: [eurFlat, { currency: 'SEK', at_start: 70_000, new: 20_000, returning: 0, expansion: 0, contraction: 0, churned: 10_000, at_end: 80_000, net_revenue_churn_bp: 1429 }],
    },
    {
      start: '2026-02-01', end: '2026-03-01',
      customers_at_start: 7, new_customers: 1, returning_customers: 0, churned_customers: 1, customers_at_end: 7, logo_churn_rate_bp: 1429,
      voluntary_churn: 0, involuntary_churn: 1, churn_by_reason: [{ reason: 'payment_problems', customers: 1 }],
      mrr: [eurFlat, { currency: 'SEK', at_start: 80_000, new: 10_000, returning: 0, expansion: 30_000, contraction: 10_000, churned: 10_000, at_end: 100_000, net_revenue_churn_bp: -1250 }],
    },
    {
      start: '2026-03-01', end: '2026-04-01',
      customers_at_start: 7, new_customers: 0, returning_customers: 1, churned_customers: 1, customers_at_end: 7, logo_churn_rate_bp: 1429,
      voluntary_churn: 0, involuntary_churn: 1, churn_by_reason: [{ reason: null, customers: 1 }],
      mrr: [eurFlat, { currency: 'SEK', at_start: 100_000, new: 0, returning: 20_000, expansion: 0, contraction: 20_000, churned: 10_000, at_end: 90_000, net_revenue_churn_bp: 3000 }],
    },
    {
      start: '2026-04-01', end: '2026-05-01',
      customers_at_start: 7, new_customers: 1, returning_customers: 0, churned_customers: 2, customers_at_end: 6, logo_churn_rate_bp: 2857,
      voluntary_churn: 1, involuntary_churn: 1, churn_by_reason: [{ reason: 'no_longer_needed', customers: 1 }, { reason: 'other', customers: 1 }],
      mrr: [eurFlat, { currency: 'SEK', at_start: 90_000, new: 10_000, returning: 0, expansion: 0, contraction: 0, churned: 20_000, at_end: 80_000, net_revenue_churn_bp: 2222 }],
    },
  ]);

  // K left at the first instant of May: May's churn, not April's.
  const may = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2026-05-01&to=2026-06-01', headers: m.auth });
  t.match(may.json.periods[0], { customers_at_start: 6, churned_customers: 1, churn_by_reason: [{ reason: 'switched_provider', customers: 1 }] });

  // ISO weeks, the first cut at from (Sunday 1 Feb): G starts in the first, D leaves in the second,
  // A's upgrade and G's switch fall in the third.
  const weeks = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2026-02-01&to=2026-02-16&interval=week', headers: m.auth });
  t.equal(weeks.status, 200);
  t.same(weeks.json.periods.map((p: { start: string; end: string }) => [p.start, p.end]), [['2026-02-01', '2026-02-02'], ['2026-02-02', '2026-02-09'], ['2026-02-09', '2026-02-16']]);
  const sek = (p: { mrr: { currency: string }[] }) => p.mrr.find((x) => x.currency === 'SEK');
  t.match(weeks.json.periods[0], { new_customers: 1, churned_customers: 0 });
  t.match(sek(weeks.json.periods[0]), { new: 10_000 });
  t.match(weeks.json.periods[1], { new_customers: 0, churned_customers: 1, involuntary_churn: 1 });
  t.match(sek(weeks.json.periods[2]), { expansion: 30_000, contraction: 10_000, churned: 0 });

  // One currency: only H.
  const euro = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2026-01-01&to=2026-02-01&currency=EUR', headers: m.auth });
  t.match(euro.json.periods[0], { customers_at_start: 1, new_customers: 0, churned_customers: 0, mrr: [eurFlat] });

  // The CSV: the same figures, one row per period and currency, the reasons' field quoted.
  const csv = await call(app, { method: 'GET', url: '/v1/analytics/churn.csv?from=2026-01-01&to=2026-05-01', headers: m.auth });
  t.equal(csv.status, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.match(csv.headers['content-disposition'], /attachment; filename="churn-2026-01-01-2026-05-01-month\.csv"/);
  const lines = csv.body.split('\r\n');
  t.equal(lines[0], 'period_start,period_end,customers_at_start,new_customers,returning_customers,churned_customers,customers_at_end,logo_churn_rate_bp,voluntary_churn,involuntary_churn,churn_by_reason,currency,mrr_at_start,mrr_new,mrr_returning,mrr_expansion,mrr_contraction,mrr_churned,mrr_at_end,net_revenue_churn_bp');
  t.equal(lines.length, 1 + 8 + 1, 'a header, two rows a period, a final CRLF');
  t.equal(lines[4], '2026-02-01,2026-03-01,7,1,0,1,7,1429,0,1,payment_problems: 1,SEK,80000,10000,0,30000,10000,10000,100000,-1250');
  t.equal(lines[8], '2026-04-01,2026-05-01,7,1,0,2,6,2857,1,1,"no_longer_needed: 1, other: 1",SEK,90000,10000,0,0,0,20000,80000,2222');
  t.equal(lines[9], '');
  const empty = await call(app, { method: 'GET', url: '/v1/analytics/churn.csv?from=2020-01-01&to=2020-02-01', headers: m.auth });
  t.equal(empty.body, `${lines[0]}\r\n2020-01-01,2020-02-01,0,0,0,0,0,,0,0,,,,,,,,,,\r\n`, 'a period without customers: empty rate and MRR');

  // Cohorts, by the first start month; now is 2026-11-25 (the test clock).
  const cohorts = await call(app, { method: 'GET', url: '/v1/analytics/cohorts?interval=month&from=2025-10-01&to=2026-05-01', headers: m.auth });
  t.equal(cohorts.status, 200, cohorts.body.slice(0, 300));
  const series = (c: { start: string; customers: number; retention: { active: number }[] }) => [c.start, c.customers, c.retention.map((r) => r.active)];
  t.same(cohorts.json.cohorts.map(series), [
    ['2025-10-01', 1, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]], // E, gone after March
    ['2025-11-01', 1, [1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1]], // D, away in February
    ['2025-12-01', 4, [4, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2]], // A, B, H, J
    ['2026-01-01', 2, [2, 2, 2, 0, 0, 0, 0, 0, 0, 0]], // C and K, both gone at 1 May
    ['2026-02-01', 1, [1, 1, 1, 1, 1, 1, 1, 1, 1]], // G
    ['2026-04-01', 1, [1, 1, 1, 1, 1, 1, 1]], // I
  ]);
  t.same(cohorts.json.cohorts[2].retention.slice(0, 2), [{ months: 0, active: 4, rate_bp: 10_000 }, { months: 1, active: 3, rate_bp: 7500 }]);

  // Former customers at 2026-11-25 09:00Z: B, C, E, J, K (F never was one, D came back), newest first.
  const former = await call(app, { method: 'GET', url: '/v1/analytics/former-customers?limit=100', headers: m.auth });
  t.equal(former.status, 200, former.body.slice(0, 300));
  t.same(former.json.data.map((f: { name: string }) => f.name), ['K', 'J', 'E', 'C', 'B']);
  const b = former.json.data.find((f: { name: string }) => f.name === 'B');
  t.same(b, {
    object: 'former_customer', id: id.B, name: 'B', email: 'b@example.se',
    first_started_at: '2025-12-14T23:00:00.000Z', ended_at: '2026-01-20T10:00:00.000Z',
    tenure_days: 36, days_since_leaving: 308, spells: 1, subscription: subs.B!.id,
    cancellation_reason: 'too_expensive', cancellation_initiator: 'customer', involuntary: false,
    last_items: [{ price: h.prices[2]!.id, quantity: 1, product_name: 'Tidning', price_nickname: '120000/year' }],
  });
  const e = former.json.data.find((f: { name: string }) => f.name === 'E');
  t.match(e, { cancellation_reason: null, cancellation_initiator: 'involuntary', involuntary: true, tenure_days: 170, spells: 1, last_items: [{ quantity: 1 }] });
  const byReason = await call(app, { method: 'GET', url: '/v1/analytics/former-customers?reason=other', headers: m.auth });
  t.same(byReason.json.data.map((f: { name: string }) => f.name), ['J'], 'by reason (G’s old subscription said other, but G stayed)');
  const page1 = await call(app, { method: 'GET', url: '/v1/analytics/former-customers?limit=2', headers: m.auth });
  t.same([page1.json.data.map((f: { name: string }) => f.name), page1.json.has_more], [['K', 'J'], true]);
  const page2 = await call(app, { method: 'GET', url: `/v1/analytics/former-customers?limit=2&starting_after=${page1.json.data[1].id}`, headers: m.auth });
  t.same([page2.json.data.map((f: { name: string }) => f.name), page2.json.has_more], [['E', 'C'], true]);
  const back = await call(app, { method: 'GET', url: `/v1/analytics/former-customers?limit=2&ending_before=${page2.json.data[0].id}`, headers: m.auth });
  t.same(back.json.data.map((f: { name: string }) => f.name), ['K', 'J']);
});

t.test('a reactivated subscription: its gap is a churn and a return', async (t) => {
  const { app, database, merchant } = await buildTestApp(t);
  const m = await merchant('Acme AB');
  const m100 = price({ currency: 'SEK', unitAmount: 10_000, interval: 'month' });
  const l = newId('customer');
  await writeHistory(database.db, m.id, {
    customers: [{ id: l, name: 'L' }],
    prices: [m100],
    subs: [{ id: newId('subscription'), customerId: l, currency: 'SEK', startDate: '2025-12-01', items: [{ price: m100.id, quantity: 1 }], gaps: [{ from: at('2026-01-10T10:00:00Z'), to: at('2026-03-03T10:00:00Z'), reason: 'too_expensive', initiator: 'customer' }] }],
    failedCollections: [],
    defaultedPlans: [],
    escalations: [],
  });
  const res = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2026-01-01&to=2026-04-01', headers: m.auth });
  const row = (p: any) => [p.customers_at_start, p.new_customers, p.returning_customers, p.churned_customers, p.voluntary_churn, p.churn_by_reason, p.mrr.map((x: any) => [x.at_start, x.returning, x.churned])];
  t.same(res.json.periods.map(row), [
    [1, 0, 0, 1, 1, [{ reason: 'too_expensive', customers: 1 }], [[10_000, 0, 10_000]]],
    [0, 0, 0, 0, 0, [], []],
    [0, 0, 1, 0, 0, [], [[0, 10_000, 0]]],
  ]);
  const cohorts = await call(app, { method: 'GET', url: '/v1/analytics/cohorts?from=2025-12-01&to=2026-01-01', headers: m.auth });
  t.same(cohorts.json.cohorts[0].retention.slice(0, 4).map((r: any) => r.active), [1, 0, 0, 1], 'away in February, back in March');
  t.same((await call(app, { method: 'GET', url: '/v1/analytics/former-customers', headers: m.auth })).json.data, [], 'back: no former customer');
});

t.test('generated histories: every figure as recomputed by sampling each customer', async (t) => {
  const { app, database, merchant, clock } = await buildTestApp(t);
  const m = await merchant('Acme AB');
  const h = generateHistory(42, 150);
  await writeHistory(database.db, m.id, h);
  t.ok(h.subs.some((s) => s.changes?.length) && h.subs.some((s) => s.trialEnd) && h.subs.some((s) => s.gaps) && h.failedCollections.length > 0, 'changes, trials, reactivations and signals occur');

  const months: string[] = [];
  for (let y = 2025; y <= 2026; y++) for (let mo = 1; mo <= 12; mo++) months.push(`${y}-${String(mo).padStart(2, '0')}-01`);
  months.push('2027-01-01');
  const periods = months.slice(0, -1).map((s, i) => ({ start: stockholmMidnight(s), end: stockholmMidnight(months[i + 1]!) }));
  const want = recompute(h, periods);
  const res = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2025-01-01&to=2027-01-01', headers: m.auth });
  t.equal(res.status, 200, res.body.slice(0, 300));
  const got = res.json.periods.map((p: Record<string, unknown> & { churn_by_reason: { reason: string | null; customers: number }[]; mrr: Record<string, number | string>[] }) => ({
    customers_at_start: p.customers_at_start, new_customers: p.new_customers, returning_customers: p.returning_customers, churned_customers: p.churned_customers,
    customers_at_end: p.customers_at_end, voluntary_churn: p.voluntary_churn, involuntary_churn: p.involuntary_churn,
    churn_by_reason: Object.fromEntries(p.churn_by_reason.map((r) => [r.reason ?? 'null', r.customers])),
    mrr: Object.fromEntries(p.mrr.map(({ currency, net_revenue_churn_bp: _, ...rest }) => [currency, rest])),
  }));
  t.same(got, want, 'every month of two years');
  const totals = want.reduce((s, p) => ({ churned: s.churned + p.churned_customers, returning: s.returning + p.returning_customers, inv: s.inv + p.involuntary_churn }), { churned: 0, returning: 0, inv: 0 });
  t.ok(totals.churned > 40 && totals.returning > 5 && totals.inv > 5, `a history worth counting (${JSON.stringify(totals)})`);
  for (let i = 1; i < got.length; i++) t.equal(got[i].customers_at_start, got[i - 1].customers_at_end, `customers carry over into month ${i}`);

  // Weeks over a stretch with a DST change, and one currency.
  const weekStarts = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30', '2026-04-06'];
  const wp = weekStarts.slice(0, -1).map((s, i) => ({ start: stockholmMidnight(s), end: stockholmMidnight(weekStarts[i + 1]!) }));
  const weeks = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2026-03-02&to=2026-04-06&interval=week&currency=SEK', headers: m.auth });
  const wgot = weeks.json.periods.map((p: { customers_at_start: number; churned_customers: number; mrr: { currency: string; at_start: number; churned: number }[] }) => [p.customers_at_start, p.churned_customers, p.mrr.find((x) => x.currency === 'SEK')?.churned ?? 0]);
  t.same(wgot, recompute(h, wp, 'SEK').map((p) => [p.customers_at_start, p.churned_customers, p.mrr.SEK?.churned ?? 0]), 'SEK weeks in March');

  const cohorts = await call(app, { method: 'GET', url: '/v1/analytics/cohorts?from=2025-01-01&to=2027-01-01', headers: m.auth });
  t.same(
    cohorts.json.cohorts.map((c: { start: string; customers: number; retention: { active: number }[] }) => ({ start: c.start, customers: c.customers, active: c.retention.map((r) => r.active) })),
    recomputeCohorts(h, '2025-01-01', '2027-01-01', clock.now().getTime()),
    'cohorts',
  );

  const former = await call(app, { method: 'GET', url: '/v1/analytics/former-customers?limit=100', headers: m.auth });
  const wantFormer = recomputeFormer(h, clock.now().getTime());
  t.ok(wantFormer.length > 30, `former customers: ${wantFormer.length}`);
  const all = [...former.json.data];
  for (let page = former.json; page.has_more; ) {
    page = (await call(app, { method: 'GET', url: `/v1/analytics/former-customers?limit=100&starting_after=${all.at(-1).id}`, headers: m.auth })).json;
    all.push(...page.data);
  }
  t.same(
    all.map((f) => ({ id: f.id, ended_at: f.ended_at, tenure_days: f.tenure_days, days_since_leaving: f.days_since_leaving, spells: f.spells, subscription: f.subscription, cancellation_reason: f.cancellation_reason })),
    wantFormer,
    'former customers',
  );
  t.ok(localDateOf(Date.parse('2026-03-28T23:30:00Z')) === '2026-03-29' && localDateOf(Date.parse('2026-03-29T21:59:00Z')) === '2026-03-29', 'the helper’s own day reading');
});

t.test('bad parameters: 400 naming the field', async (t) => {
  const { app, merchant } = await buildTestApp(t);
  const m = await merchant();
  const cases: [string, string, string][] = [
    ['churn', 'from=2026-03-01&to=2026-02-01', 'to'],
    ['churn', 'from=2026-03-01&to=2026-03-01', 'to'],
    ['churn', 'from=2010-01-01&to=2020-02-01', 'to'],
    ['churn', 'from=2023-01-01&to=2026-04-01&interval=week', 'to'],
    ['churn', 'from=2026-02-30&to=2026-03-01', 'from'],
    ['churn', 'from=2026-01-01&to=2026-03-01&interval=day', 'interval'],
    ['churn', 'to=2026-03-01', 'from'],
    ['churn', 'from=2026-01-01&to=2026-03-01&currency=sek', 'currency'],
    ['churn.csv', 'from=2026-03-01&to=2026-02-01', 'to'],
    ['cohorts', 'interval=week', 'interval'],
    ['cohorts', 'from=2026-05-01&to=2026-01-01', 'to'],
    ['cohorts', 'from=2000-01-01&to=2026-01-01', 'to'],
    ['former-customers', 'reason=bored', 'reason'],
    ['former-customers', 'limit=0', 'limit'],
  ];
  for (const [path, qs, field] of cases) {
    const res = await call(app, { method: 'GET', url: `/v1/analytics/${path}?${qs}`, headers: m.auth });
    t.equal(res.status, 400, `${path}?${qs}`);
    t.equal(res.json?.code, 'validation_failed', qs);
    t.ok(res.json?.errors?.some((e: { field: string }) => e.field === field), `${path}?${qs} names ${field}: ${JSON.stringify(res.json?.errors)}`);
  }
  const ok = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2016-01-01&to=2026-01-01', headers: m.auth });
  t.equal(ok.status, 200, 'exactly 120 months is allowed');
  t.equal(ok.json.periods.length, 120);
  const anon = await call(app, { method: 'GET', url: '/v1/analytics/churn?from=2026-01-01&to=2026-02-01' });
  t.equal(anon.status, 401);
});
