// The backtest: its metrics by hand, the script on a small simulation (the score ranks churn
// better than days late alone), and the --merchant path on a history made through the API.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { backtestReport, precisionAtTop, rocAuc, simulateCustomers } from '../../src/domain/churn-backtest.ts';
import { churnRisk } from '../../src/domain/churn-risk.ts';
import { merchantBacktestRows } from '../../src/modules/churn-risk/backtest.ts';
import { billingWorld } from '../billing/world.ts';

const run = promisify(execFile);

t.test('ROC AUC and top-decile precision by hand', async (t) => {
  const rows = (scores: number[], churned: number[]) => scores.map((score, i) => ({ score, churned: churned.includes(i) }));
  t.equal(rocAuc(rows([1, 2, 3, 4], [2, 3])), 1, 'perfect ranking');
  t.equal(rocAuc(rows([1, 2, 3, 4], [0, 1])), 0, 'reversed');
  t.equal(rocAuc(rows([5, 5, 5, 5], [0])), 0.5, 'all tied: a coin toss');
  // Churned scored 3 and 1.5, stayed 2 and 1: of the four pairs 3>2, 3>1, 1.5>1 win and 1.5<2 loses.
  t.equal(rocAuc(rows([3, 1.5, 2, 1], [0, 1])), 0.75);
  t.equal(rocAuc(rows([1, 2], [])), null, 'no churned customer: undefined');

  const twenty = rows(Array.from({ length: 20 }, (_, i) => 20 - i), [0, 5]);
  t.equal(precisionAtTop(twenty), 0.5, 'top 2 of 20: one churned');
  // Everyone tied: the top decile is as good as the churn rate (ties shared out, not taken in order).
  t.equal(precisionAtTop(rows(Array(20).fill(7), [0, 1, 2, 3])), 0.2);
});

t.test('npm run churn:backtest: the score ranks churn above the days-late baseline', async (t) => {
  const { stdout } = await run(process.execPath, ['scripts/churn-backtest.ts', '--seed', '14', '--customers', '2000']);
  const report = JSON.parse(stdout);
  t.match(report, { source: 'simulation', seed: 14, customers: 2000 });
  t.ok(report.churned > 100 && report.churned < 600, `a plausible churn rate: ${report.churn_rate}`);
  t.ok(report.score.auc > report.baseline_days_late.auc, `AUC ${report.score.auc} > baseline ${report.baseline_days_late.auc}`);
  t.ok(report.score.precision_top_decile > report.baseline_days_late.precision_top_decile, `top-decile precision ${report.score.precision_top_decile} > ${report.baseline_days_late.precision_top_decile}`);
  t.ok(report.score.auc > 0.6, 'well above a coin toss on this simulation');

  // Not one lucky seed: ten more, each of 1,000 customers.
  for (let seed = 1; seed <= 10; seed++) {
    const r = backtestReport(simulateCustomers(seed, 1000).map((c) => ({ ...c, score: churnRisk(c.signals).score })));
    t.ok(r.score.auc! > r.baseline_days_late.auc!, `seed ${seed}: AUC ${r.score.auc!.toFixed(3)} > ${r.baseline_days_late.auc!.toFixed(3)}`);
  }
  t.same(simulateCustomers(5, 50), simulateCustomers(5, 50), 'seeded: the same history again');

  const bad = await run(process.execPath, ['scripts/churn-backtest.ts', '--customers', 'many']).catch((e) => e);
  t.equal(bad.code, 2, 'a bad argument exits 2 with the usage');
  t.match(bad.stderr, /--customers must be a whole number/);
});

t.test("--merchant: scores as of the cut-off from the rows before it, churn after it", async (t) => {
  const w = await billingWorld(t);
  const price = await w.monthlyPrice({ currency: 'SEK', unit_amount: 19900 });
  const leaving = await w.customer({ email: 'leaving@example.se', national_id: null });
  const staying = await w.customer({ email: 'staying@example.se', national_id: null });
  const late = await w.customer({ email: 'late@example.se', national_id: null });
  const subs: Record<string, any> = {};
  for (const c of [leaving, staying, late]) subs[c.id] = await w.must(w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id }] }), 201, 'subscription');
  // Before the cut-off: the leaving customer left card payment for bankgiro.
  w.clock.set('2026-12-01T09:00:00Z');
  await w.must(w.api('POST', `/v1/customers/${leaving.id}/payment-method`, { type: 'card', token: 'tok_visa', brand: 'visa', last4: '4242' }), 200, 'card');
  await w.must(w.api('POST', `/v1/customers/${leaving.id}/payment-method`, { type: 'bankgiro' }), 200, 'bankgiro');
  // After the cut-off (2026-12-10): the same change for `late` (must not count), and `leaving` cancels.
  w.clock.set('2026-12-15T09:00:00Z');
  await w.must(w.api('POST', `/v1/customers/${late.id}/payment-method`, { type: 'card', token: 'tok_visa', brand: 'visa', last4: '4242' }), 200, 'card');
  await w.must(w.api('POST', `/v1/customers/${late.id}/payment-method`, { type: 'bankgiro' }), 200, 'bankgiro');
  await w.must(w.api('POST', `/v1/subscriptions/${subs[leaving.id].id}/cancel`, { reason: 'too_expensive', initiator: 'customer' }), 200, 'cancel');

  const rows = await merchantBacktestRows(w.database.db, w.m.id, new Date('2026-12-10T00:00:00Z'), 30);
  t.equal(rows.length, 3);
  const byScore = rows.map((r) => [r.score, r.churned, r.signals.leftAutomaticPayment]);
  t.same(byScore.sort(), [
    [18, false, false],
    [18, false, false],
    [30, true, true],
  ], 'only the change before the cut-off counts; only the customer who left churned');
  t.same(backtestReport(rows).score, { auc: 1, precision_top_decile: 1 });
  t.equal((await merchantBacktestRows(w.database.db, w.m.id, new Date('2026-12-10T00:00:00Z'), 2)).filter((r) => r.churned).length, 0, 'a horizon ending before the cancellation: no churn');
});
