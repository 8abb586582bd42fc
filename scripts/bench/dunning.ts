// Dunning sweep benchmark: seeds N customers with one open invoice each (bulk SQL), due dates
// spread from 40 days ago to 10 days ahead so the invoices sit at every stage (not yet due,
// pre-due nudge, due-date reminder, reminders, escalation; a fifth deliver through Kivra, i.e.
// the webhook channel), and times one full sweep on a fixed business time (a Wednesday 10:30 in
// Stockholm): adopting every invoice, deciding each, rendering and enqueueing one message per due
// customer, escalating. Reported next to the floor: a bare SQL query selecting the same owing
// invoices with their customers, in the same run.
//
//   npm run bench:dunning -- --invoices 100000
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createDatabase } from '../../src/db/client.ts';
import { fixedClock } from '../../src/clock.ts';
import type { JobSender } from '../../src/jobs/queue.ts';
import { createServices } from '../../src/services.ts';
import { seedDueSubscriptions } from '../../test/helpers/seed-billing.ts';
import { num, say, startBench } from './harness.ts';

const { values: args } = parseArgs({ options: { invoices: { type: 'string' } } });
const N = Math.round(num('invoices', args.invoices ?? '100000', 1));
const NOW = '2027-02-10T09:30:00Z'; // Wednesday 10:30 in Stockholm: inside the sending window, past the cut-off

let database: ReturnType<typeof createDatabase> | undefined;
const bench = startBench('bench:dunning', async () => {
  await database?.pool.end().catch(() => {});
});

await bench.run(async () => {
  await bench.create();
  database = createDatabase(bench.url, { max: 6, onError: () => {} });
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
  await db.execute(sql`vacuum analyze`);

  // --- The floor: the same owing invoices with their customers, selected by bare SQL ------------
  const floorStarted = performance.now();
  const floorRows = await db.execute(sql`
    select i.*, c.name, c.email, c.delivery, c.payment_method from invoices i
    join customers c on c.merchant_id = i.merchant_id and c.id = i.customer_id
    where i.merchant_id = ${merchant.id} and i.status in ('open', 'partially_paid') and i.amount_remaining > 0 and i.due_date <= date '2027-02-13'`);
  const floorMs = performance.now() - floorStarted;

  // --- The sweep ----------------------------------------------------------------------------------
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = performance.now();
  await services.dunning.sweep();
  const sweepMs = performance.now() - started;
  clearInterval(sampler);

  const check = (await db.execute(sql`
    select (select count(*)::int from dunning_cases where merchant_id = ${merchant.id}) as cases,
      (select count(*)::int from messages where merchant_id = ${merchant.id}) as messages,
      (select count(*)::int from messages where merchant_id = ${merchant.id} and channel = 'webhook') as webhook_messages,
      (select count(*)::int from invoices where merchant_id = ${merchant.id} and status = 'in_collection') as escalated,
      (select count(*)::int from dunning_cases where merchant_id = ${merchant.id} and status = 'active' and next_action_at <= ${NOW}::timestamptz) as still_due,
      (select count(*)::int from (select invoice_id, step_key from message_invoices where merchant_id = ${merchant.id} group by 1, 2 having count(*) > 1) x) as duplicates`)).rows[0] as { cases: number; messages: number; webhook_messages: number; escalated: number; still_due: number; duplicates: number };
  const ok = check.cases === N && check.still_due === 0 && check.duplicates === 0 && check.messages > 0;
  say(`check: ${JSON.stringify(check)} ${ok ? 'ok' : 'MISMATCH'}`);
  if (!ok) throw new Error('the sweep did not leave every invoice with a case and nothing due');

  const out = [
    '',
    `PostgreSQL ${await bench.serverVersion()}, Node ${process.version}, ${N} open invoices`,
    '',
    '| measurement | time (s) | invoices/s | messages enqueued/s | peak RSS (MB) |',
    '|---|---|---|---|---|',
    `| sweep: adopt, decide, render and enqueue ${check.messages} messages (${check.webhook_messages} by webhook), escalate ${check.escalated} | ${(sweepMs / 1000).toFixed(2)} | ${Math.round(N / (sweepMs / 1000))} | ${Math.round(check.messages / (sweepMs / 1000))} | ${Math.round(peakRss / 1048576)} |`,
    `| floor: bare SQL selecting the ${floorRows.rows.length} owing invoices due by the pre-due horizon, with their customers | ${(floorMs / 1000).toFixed(2)} | ${Math.round(floorRows.rows.length / (floorMs / 1000))} | – | – |`,
    '',
    `sweep / floor time: ${(sweepMs / floorMs).toFixed(1)}x; goal under 20 s: ${sweepMs < 20_000 ? 'met' : 'not met'}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  await bench.cleanup();
});
