// How well a score ranks the customers who later churned: ROC AUC and precision in the top decile,
// and a simulated history to run them on. Pure; the script (scripts/churn-backtest.ts) prints them.
import { EXIT_REASONS, type ChurnSignals } from './churn-risk.ts';

export type Scored = { score: number; churned: boolean };

/**
 * ROC AUC: the chance a random churned customer scores above a random one who stayed (ties count
 * half), by the Mann–Whitney rank sum with average ranks. Null when either group is empty.
 */
export function rocAuc(rows: readonly Scored[]): number | null {
  const pos = rows.filter((r) => r.churned).length;
  const neg = rows.length - pos;
  if (pos === 0 || neg === 0) return null;
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1 … j
    for (let k = i; k < j; k++) if (sorted[k]!.churned) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Of the top `fraction` of customers by score, the share who churned. Customers tied at the cut
 * count in proportion (the expected precision if ties were broken at random), so a score that
 * ties everyone is not flattered by the order rows came in. Null for no rows.
 */
export function precisionAtTop(rows: readonly Scored[], fraction = 0.1): number | null {
  if (rows.length === 0) return null;
  const k = Math.max(1, Math.ceil(rows.length * fraction));
  const sorted = [...rows].sort((a, b) => b.score - a.score);
  let taken = 0;
  let hits = 0;
  for (let i = 0; i < sorted.length && taken < k; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const group = j - i;
    const churned = sorted.slice(i, j).filter((r) => r.churned).length;
    const take = Math.min(group, k - taken);
    hits += (churned * take) / group;
    taken += take;
    i = j;
  }
  return hits / k;
}

export type BacktestRow = { signals: ChurnSignals; score: number; churned: boolean };
export type BacktestReport = {
  customers: number;
  churned: number;
  churn_rate: number;
  score: { auc: number | null; precision_top_decile: number | null };
  baseline_days_late: { auc: number | null; precision_top_decile: number | null };
};

/** The score against the trivial baseline: rank by days late alone. */
export function backtestReport(rows: readonly BacktestRow[]): BacktestReport {
  const score = rows.map((r) => ({ score: r.score, churned: r.churned }));
  const baseline = rows.map((r) => ({ score: r.signals.maxDaysLate, churned: r.churned }));
  const churned = rows.filter((r) => r.churned).length;
  return {
    customers: rows.length,
    churned,
    churn_rate: rows.length ? churned / rows.length : 0,
    score: { auc: rocAuc(score), precision_top_decile: precisionAtTop(score) },
    baseline_days_late: { auc: rocAuc(baseline), precision_top_decile: precisionAtTop(baseline) },
  };
}

/** A small seeded generator (mulberry32): the same seed, the same history. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * A simulated customer base. Each customer has a hidden propensity to leave (standard normal);
 * every signal and the churn outcome are drawn from it, each with its own noise. This is an
 * assumption, not data: it shows the machinery (signals → score → ranking → metrics) works and
 * that a score using several signals ranks better than days late alone *when the signals carry
 * independent information about leaving*, which is what the simulation puts in. It says nothing
 * about how well the default weights predict churn for a real merchant; `--merchant` does that.
 */
export function simulateCustomers(seed: number, n: number): { signals: ChurnSignals; churned: boolean }[] {
  const rnd = seededRandom(seed);
  const normal = () => {
    const u = Math.max(rnd(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const chance = (x: number) => rnd() < logistic(x);
  const count = (mean: number, max: number) => {
    let k = 0;
    while (k < max && rnd() < mean / (1 + mean)) k++;
    return k;
  };
  const out: { signals: ChurnSignals; churned: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const z = normal();
    const manual = chance(-0.6 + 0.5 * z);
    const late = chance(-1 + 0.9 * z);
    const maxDaysLate = late ? Math.round(3 + rnd() * 30 * logistic(z)) : 0;
    const reminders = late ? count(Math.exp(-0.4 + 0.6 * z), 6) : 0;
    const furthest = reminders === 0 ? 0 : Math.min(3, 1 + count(Math.exp(-1 + 0.7 * z), 2));
    const plan = chance(-4 + 1.2 * z) ? 'defaulted' : chance(-3.5 + z) ? 'active' : 'none';
    const returning = rnd() < 0.1;
    out.push({
      signals: {
        reminders,
        furthestStep: furthest as ChurnSignals['furthestStep'],
        maxDaysLate,
        lateInvoices: late ? 1 + count(Math.exp(-1 + 0.5 * z), 4) : 0,
        failedCollections: manual ? 0 : count(Math.exp(-2.5 + 0.9 * z), 3),
        paymentPlan: plan,
        downgraded: chance(-2.8 + 0.8 * z),
        paused: chance(-3.2 + 0.7 * z),
        cancelAtPeriodEnd: chance(-3.6 + 1.3 * z),
        disputes: count(Math.exp(-4 + 0.7 * z), 2),
        paymentMethod: manual ? 'manual' : 'automatic',
        leftAutomaticPayment: manual && chance(-2.5 + 0.8 * z),
        deliveryBounced: chance(-3.5 + 0.5 * z),
        tenureMonths: Math.floor(-Math.log(Math.max(rnd(), 1e-9)) * 24 * Math.exp(-0.3 * z)),
        earlierExitReason: returning ? EXIT_REASONS[Math.floor(rnd() * EXIT_REASONS.length)]! : null,
      },
      churned: chance(-2.3 + 1.2 * z),
    });
  }
  return out;
}
