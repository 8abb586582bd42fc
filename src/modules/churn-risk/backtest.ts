// The backtest on a merchant's own history: each customer with a subscription running at the
// cut-off is scored as of the cut-off, from the rows dated before it (store.readSignals), and
// counted as churned when a subscription of theirs ended within `horizonDays` after it and none
// was running at the horizon's end. Test-clock customers live in another time and are left out.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { churnRisk, weightsWith, type ChurnRiskWeights } from '../../domain/churn-risk.ts';
import type { BacktestRow } from '../../domain/churn-backtest.ts';
import { readSignals } from './store.ts';

export async function merchantBacktestRows(q: Queryable, merchantId: string, cutoff: Date, horizonDays: number): Promise<BacktestRow[]> {
  const horizon = new Date(cutoff.getTime() + horizonDays * 86_400_000);
  const merchant = await q.execute<{ time_zone: string; churn_risk_weights: Partial<ChurnRiskWeights> | null }>(
    sql`select time_zone, churn_risk_weights from merchants where id = ${merchantId}`,
  );
  const m = merchant.rows[0];
  if (!m) throw new Error(`No such merchant: ${merchantId}`);
  const customers = await q.execute<{ id: string; churned: boolean }>(sql`
    select c.id,
      exists (select 1 from subscriptions s where s.merchant_id = c.merchant_id and s.customer_id = c.id
                and s.ended_at > ${cutoff} and s.ended_at <= ${horizon})
      and not exists (select 1 from subscriptions s where s.merchant_id = c.merchant_id and s.customer_id = c.id
                and s.start_date <= (${horizon}::timestamptz at time zone ${m.time_zone})::date
                and (s.ended_at is null or s.ended_at > ${horizon})) as churned
    from customers c
    where c.merchant_id = ${merchantId} and c.test_clock_id is null and c.created_at <= ${cutoff}
      and exists (select 1 from subscriptions s where s.merchant_id = c.merchant_id and s.customer_id = c.id
                and s.start_date <= (${cutoff}::timestamptz at time zone ${m.time_zone})::date
                and (s.ended_at is null or s.ended_at > ${cutoff}))
    order by c.id
  `);
  const weights = weightsWith(m.churn_risk_weights);
  const rows: BacktestRow[] = [];
  for (const c of customers.rows) {
    const signals = await readSignals(q, merchantId, c.id, cutoff, m.time_zone);
    if (signals) rows.push({ signals, score: churnRisk(signals, weights).score, churned: c.churned });
  }
  return rows;
}
