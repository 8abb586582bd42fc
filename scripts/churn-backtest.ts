// `npm run --silent churn:backtest -- [--seed N] [--customers N]` scores a simulated customer base
// (src/domain/churn-backtest.ts: signals and churn drawn from one hidden propensity, so it proves
// the machinery, not real-world accuracy) and prints, as one JSON object, how well the churn risk
// score ranked those who churned (ROC AUC, precision in the top decile) against ranking by days
// late alone. `--merchant mer_… --cutoff YYYY-MM-DD [--days 90]` runs it on a merchant's own
// history instead (needs DATABASE_URL): scores as of the cut-off, churn within --days after it.
import { parseArgs } from 'node:util';
import { backtestReport, simulateCustomers } from '../src/domain/churn-backtest.ts';
import { churnRisk } from '../src/domain/churn-risk.ts';

const USAGE = 'usage: npm run --silent churn:backtest -- [--seed N] [--customers N] | --merchant mer_… --cutoff YYYY-MM-DD [--days N]';
const fail = (msg: string): never => {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(2);
};
const whole = (s: string | undefined, name: string, fallback: number, min: number, max: number) => {
  if (s === undefined) return fallback;
  const n = Number(s);
  return Number.isInteger(n) && n >= min && n <= max ? n : fail(`--${name} must be a whole number from ${min} to ${max}`);
};

let args;
try {
  args = parseArgs({ options: { seed: { type: 'string' }, customers: { type: 'string' }, merchant: { type: 'string' }, cutoff: { type: 'string' }, days: { type: 'string' } }, strict: true });
} catch (e) {
  fail((e as Error).message);
}
const v = args!.values;

if (v.merchant) {
  if (!v.cutoff || !/^\d{4}-\d{2}-\d{2}$/.test(v.cutoff) || Number.isNaN(Date.parse(`${v.cutoff}T00:00:00Z`))) fail('--cutoff YYYY-MM-DD is required with --merchant');
  const days = whole(v.days, 'days', 90, 1, 730);
  const { openScriptDatabase } = await import('./script-db.ts');
  const { merchantBacktestRows } = await import('../src/modules/churn-risk/backtest.ts');
  const database = await openScriptDatabase();
  try {
    const cutoff = new Date(`${v.cutoff}T00:00:00Z`);
    const rows = await merchantBacktestRows(database.db, v.merchant, cutoff, days);
    process.stdout.write(`${JSON.stringify({ source: 'merchant', merchant: v.merchant, cutoff: cutoff.toISOString(), horizon_days: days, ...backtestReport(rows) }, null, 2)}\n`);
  } finally {
    await database.pool.end();
  }
} else {
  const seed = whole(v.seed, 'seed', 14, 0, 2 ** 31 - 1);
  const n = whole(v.customers, 'customers', 2000, 20, 1_000_000);
  const rows = simulateCustomers(seed, n).map((c) => ({ ...c, score: churnRisk(c.signals).score }));
  process.stdout.write(`${JSON.stringify({ source: 'simulation', seed, ...backtestReport(rows) }, null, 2)}\n`);
}
