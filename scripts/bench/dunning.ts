// Dunning sweep benchmark: seeds N customers with one open invoice each (bulk SQL), due dates
// spread from 40 days ago to 10 days ahead so the invoices sit at every stage (not yet due,
// pre-due nudge, due-date reminder, reminders, escalation; a fifth deliver through Kivra, i.e.
// the webhook channel), and times one sweep on a fixed business time (a Wednesday 10:30 in
// Stockholm). Two scenarios:
//   daily (default): every invoice already has its case at the step it has reached (as after
//     earlier days' sweeps, each step sent on its day); the sweep finds the cases due today among
//     all N, decides, renders and enqueues their messages, escalates.
//   cold: no case exists yet (Omtanke switched on over N open invoices): the sweep opens all N,
//     decides each, and sends the one step now due for most of them.
// Reported next to the floor: a bare SQL query selecting the same due rows, in the same run.
// --test-clock puts every customer on one test clock standing at that time, and times the clock's
// catch-up work (the lane a test-clock advance runs) instead of the worker's sweep.
//
//   npm run bench:dunning -- --invoices 100000 [--scenario daily|cold] [--test-clock]
// BENCH_EXPLAIN=1 prints the claim query's plan (auto_explain) before the sweep.
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createDatabase } from '../../src/db/client.ts';
import { fixedClock } from '../../src/clock.ts';
import type { JobSender } from '../../src/jobs/queue.ts';
import { createServices } from '../../src/services.ts';
import { seedDueSubscriptions } from '../../test/helpers/seed-billing.ts';
import { num, say, startBench } from './harness.ts';
import { openTransaction } from '../../src/db/unit-of-work.ts';
import { createDunningPolicyService } from '../../src/modules/dunning/policies.ts';
import { DEFAULT_RULES, DEFAULT_STEPS } from '../../src/domain/dunning-policy.ts';
import { nominalTime } from '../../src/domain/dunning-schedule.ts';
import type { CalendarDate } from '../../src/domain/calendar-date.ts';

const { values: args } = parseArgs({ options: { invoices: { type: 'string' }, scenario: { type: 'string' }, 'test-clock': { type: 'boolean' } } });
const TEST_CLOCK = args['test-clock'] === true;
const SCENARIO = args.scenario ?? 'daily';
if (SCENARIO !== 'daily' && SCENARIO !== 'cold') {
  process.stderr.write('--scenario must be daily or cold\n');
  process.exit(2);
}
const N = Math.round(num('invoices', args.invoices ?? '100000', 1));
const NOW = '2027-02-10T09:30:00Z'; // Wednesday 10:30 in Stockholm: inside the sending window, past the cut-off

let database: ReturnType<typeof createDatabase> | undefined;
const bench = startBench('bench:dunning', async () => {
  await database?.pool.end().catch(() => {});
});

await bench.run(async () => {
  await bench.create();
  database = createDatabase(bench.url, { max: 6, onError: () => {} });
  if (process.env.BENCH_EXPLAIN) database.pool.on('connect', (c) => c.on('notice', (n) => process.stderr.write(`${n.message}\n`)));
  const { db } = database;
  const jobs: JobSender = { send: async () => {} };
  const clock = fixedClock(NOW);
  const services = createServices({ db, clock, jobs, allowPrivateUrls: false });
  const { merchant } = await services.merchants.createMerchant({ name: 'Bench AB', livemode: false });
  await db.execute(sql`update merchants set legal_name = 'Bench AB', bankgiro = '5050-1055', swish_number = '1231181189', invoice_number_prefix = 'B' where id = ${merchant.id}`);

  say(`seeding ${N} customers with one open invoice of 199 kr each, due from 40 days ago to 10 days ahead`);
  await seedDueSubscriptions(db, { merchantId: merchant.id, count: N, nextBillDate: '2027-01-01', tag: '1' });
  await db.execute(sql`update customers set delivery = '{"type":"kivra"}'::jsonb where merchant_id = ${merchant.id} and right(id, 1) in ('0', '5')`);
  await db.execute(sql`
    insert into invoices (merchant_id, id, customer_id, subscription_id, billing_reason, status, currency, series, number_seq,
      number, ocr_reference, issue_date, due_date, period_start, period_end, subtotal, vat_total, total, rounding, amount_due,
      amount_paid, amount_credited, amount_remaining, vat_breakdown, seller, buyer, reverse_charge, locale, payment_terms_days,
      metadata, created_at, updated_at, finalized_at)
    select s.merchant_id, 'in_' || substr(s.id, 5), s.customer_id, s.id, 'subscription_cycle', 'open', 'SEK', 'B', n,
      'B' || n, (1000000 + n)::text, d - 30, d, d - 30, d, 15920, 3980, 19900, 0, 19900, 0, 0, 19900,
      '[{"vatRate":25,"net":15920,"vat":3980}]'::jsonb, '{"name":"Bench AB"}'::jsonb, '{"name":"Kund"}'::jsonb,
      false, 'sv', 30, '{}', now(), now(), now()
    from (select s.*, row_number() over (order by s.id) as n, date '2027-02-10' - 40 + (row_number() over (order by s.id) % 51)::int as d
          from subscriptions s where s.merchant_id = ${merchant.id}) s`);
  if (SCENARIO === 'daily') await seedCases(db, merchant.id, clock.now());
  if (TEST_CLOCK) {
    // A clock in the middle of an advance, standing at NOW: its catch-up works what is due there.
    await db.execute(sql`insert into test_clocks (merchant_id, id, name, frozen_time, status, target_time, advanced_from, created_at, updated_at)
      values (${merchant.id}, 'clock_bench', 'bench', ${NOW}::timestamptz, 'advancing', ${NOW}::timestamptz, ${NOW}::timestamptz, now(), now())`);
    await db.execute(sql`update customers set test_clock_id = 'clock_bench' where merchant_id = ${merchant.id}`);
  }
  await db.execute(sql`vacuum analyze`);

  // --- The floor: the rows the sweep must read, selected by bare SQL ------------------------------
  const floorStarted = performance.now();
  const floorRows =
    SCENARIO === 'daily'
      ? await db.execute(sql`
          select d.*, i.*, c.name, c.email, c.delivery, c.payment_method from dunning_cases d
          join invoices i on i.merchant_id = d.merchant_id and i.id = d.invoice_id
          join customers c on c.merchant_id = d.merchant_id and c.id = d.customer_id
          where d.status = 'active' and d.next_action_at <= ${NOW}::timestamptz`)
      : await db.execute(sql`
          select i.*, c.name, c.email, c.delivery, c.payment_method from invoices i
          join customers c on c.merchant_id = i.merchant_id and c.id = i.customer_id
          where i.merchant_id = ${merchant.id} and i.status in ('open', 'partially_paid') and i.amount_remaining > 0`);
  const floorMs = performance.now() - floorStarted;

  if (process.env.BENCH_EXPLAIN) {
    const { claimDue } = await import('../../src/modules/dunning/store.ts');
    const { openTransaction } = await import('../../src/db/unit-of-work.ts');
    await openTransaction(db, async (tx) => {
      await tx.execute(sql`load 'auto_explain'`);
      await tx.execute(sql`set local auto_explain.log_min_duration = 0`);
      await tx.execute(sql`set local auto_explain.log_analyze = on`);
      await tx.execute(sql`set local client_min_messages = log`);
      await tx.execute(sql`set local auto_explain.log_level = notice`);
      await claimDue(tx, { now: clock.now(), lane: TEST_CLOCK ? { kind: 'clock', merchantId: merchant.id, clockId: 'clock_bench' } : { kind: 'sweep' }, limit: 500 });
      throw new Error('rollback');
    }).catch(() => {});
  }
  // --- The sweep ----------------------------------------------------------------------------------
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = performance.now();
  await (TEST_CLOCK ? services.dunning.workClock(merchant.id, 'clock_bench') : services.dunning.sweep());
  const sweepMs = performance.now() - started;
  clearInterval(sampler);

  const check = (await db.execute(sql`
    select (select count(*)::int from dunning_cases where merchant_id = ${merchant.id}) as cases,
      (select count(*)::int from messages where merchant_id = ${merchant.id}) as messages,
      (select count(*)::int from messages where merchant_id = ${merchant.id} and channel = 'webhook') as webhook_messages,
      (select count(*)::int from invoices where merchant_id = ${merchant.id} and status = 'in_collection') as escalated,
      (select count(*)::int from dunning_cases where merchant_id = ${merchant.id} and status = 'active' and next_action_at <= ${NOW}::timestamptz) as still_due,
      (select count(*)::int from (select invoice_id, step_key from message_invoices where merchant_id = ${merchant.id} group by 1, 2 having count(*) > 1) x) as duplicates`)).rows[0] as { cases: number; messages: number; webhook_messages: number; escalated: number; still_due: number; duplicates: number };
  const ok = check.cases === N && check.still_due === 0 && check.duplicates === 0 && check.messages > 0 && (SCENARIO === 'cold' || check.escalated > 0);
  say(`check: ${JSON.stringify(check)} ${ok ? 'ok' : 'MISMATCH'}`);
  if (!ok) throw new Error('the sweep did not leave every invoice with a case and nothing due');

  const evaluated = SCENARIO === 'daily' ? floorRows.rows.length : N;
  const out = [
    '',
    `PostgreSQL ${await bench.serverVersion()}, Node ${process.version}, ${N} open invoices, scenario ${SCENARIO}${TEST_CLOCK ? ', on a test clock' : ''}`,
    '',
    '| measurement | time (s) | invoices/s | messages enqueued/s | peak RSS (MB) |',
    '|---|---|---|---|---|',
    `| sweep (${SCENARIO}): ${SCENARIO === 'cold' ? `open ${N} cases, ` : ''}decide ${evaluated} due, render and enqueue ${check.messages} messages (${check.webhook_messages} by webhook), escalate ${check.escalated} | ${(sweepMs / 1000).toFixed(2)} | ${Math.round(evaluated / (sweepMs / 1000))} | ${Math.round(check.messages / (sweepMs / 1000))} | ${Math.round(peakRss / 1048576)} |`,
    `| floor: bare SQL selecting the ${floorRows.rows.length} ${SCENARIO === 'daily' ? 'due cases with their invoices and customers' : 'owing invoices with their customers'} | ${(floorMs / 1000).toFixed(2)} | ${Math.round(floorRows.rows.length / (floorMs / 1000))} | – | – |`,
    '',
    `sweep / floor time: ${(sweepMs / floorMs).toFixed(1)}x; goal under 20 s: ${sweepMs < 20_000 ? 'met' : 'not met'}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  await bench.cleanup();
});

/**
 * Every invoice's case as earlier daily sweeps would have left it: each step sent on its planned
 * day, the next one planned (the default policy; Kivra customers skip the pre-due nudge).
 */
async function seedCases(db: ReturnType<typeof createDatabase>['db'], merchantId: string, now: Date): Promise<void> {
  const policy = (await db.execute<{ id: string }>(sql`select id from dunning_policies where merchant_id = ${merchantId} and is_default`)).rows[0]?.id
    ?? (await openTransaction(db, (tx) => createDunningPolicyService({ db, clock: { now: () => now } }).defaultFor(tx, merchantId))).id;
  const rows = (await db.execute<{ id: string; customer_id: string; due_date: string; kivra: boolean }>(sql`
    select i.id, i.customer_id, i.due_date::text, c.delivery->>'type' = 'kivra' as kivra from invoices i
    join customers c on c.merchant_id = i.merchant_id and c.id = i.customer_id where i.merchant_id = ${merchantId}`)).rows;
  const p = { steps: DEFAULT_STEPS, rules: DEFAULT_RULES };
  const cases = rows.map((r) => {
    let k = r.kivra && p.steps[0]!.kind === 'pre_due' ? 1 : 0;
    const dayEnd = new Date(now.getTime() - 3 * 3600_000); // steps planned before today's 08:00 went out on their day
    while (k < p.steps.length && nominalTime(p, k, r.due_date as CalendarDate, 'Europe/Stockholm') < dayEnd) k++;
    const at = k < p.steps.length ? nominalTime(p, k, r.due_date as CalendarDate, 'Europe/Stockholm') : null;
    return { merchant_id: merchantId, invoice_id: r.id, customer_id: r.customer_id, policy_id: policy, next_step: k, next_action_at: at?.toISOString() ?? null, status: at ? 'active' : 'closed' };
  });
  for (let i = 0; i < cases.length; i += 5000) {
    await db.execute(sql`
      insert into dunning_cases (merchant_id, invoice_id, customer_id, policy_id, status, next_step, next_action_at, shift_seconds, created_at, updated_at)
      select v.merchant_id, v.invoice_id, v.customer_id, v.policy_id, v.status, v.next_step, v.next_action_at, 0, now(), now()
      from jsonb_to_recordset(${JSON.stringify(cases.slice(i, i + 5000))}::jsonb)
        as v(merchant_id text, invoice_id text, customer_id text, policy_id text, status text, next_step int, next_action_at timestamptz)`);
  }
}
