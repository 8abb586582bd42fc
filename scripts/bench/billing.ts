// Billing run benchmark: seeds N active monthly subscriptions that are all due, runs one billing
// run over them (invoices with lines, numbers, OCR, due dates and two events each, in batches of
// their own transactions) and reports invoices/s and peak RSS next to the floor: the time this
// PostgreSQL needs for one INSERT … SELECT of the same number of invoice and line rows.
//
//   npm run bench:billing -- --subscriptions 100000 [--batch 500] [--executors 2]
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createDatabase } from '../../src/db/client.ts';
import { systemClock } from '../../src/clock.ts';
import { noJobs } from '../../src/jobs/queue.ts';
import { createServices } from '../../src/services.ts';
import { seedDueSubscriptions } from '../../test/helpers/seed-billing.ts';
import { num, say, startBench } from './harness.ts';

const { values: args } = parseArgs({
  options: { subscriptions: { type: 'string' }, batch: { type: 'string' }, executors: { type: 'string' } },
});
const N = Math.round(num('subscriptions', args.subscriptions ?? '100000', 1));
const BATCH = Math.round(num('batch', args.batch ?? '500', 1));
const EXECUTORS = Math.round(num('executors', args.executors ?? '2', 1));

let database: ReturnType<typeof createDatabase> | undefined;
const bench = startBench('bench:billing', async () => {
  await database?.pool.end().catch(() => {});
});

await bench.run(async () => {
  await bench.create();
  database = createDatabase(bench.url, { max: EXECUTORS + 4, onError: () => {} });
  const { db } = database;
  const clock = systemClock;
  const services = createServices({ db, clock, jobs: noJobs, allowPrivateUrls: false, billingBatchSize: BATCH });
  const { billing } = services;

  const today = new Date().toISOString().slice(0, 10);
  const { merchant } = await services.merchants.createMerchant({ name: 'Bench AB', livemode: false });
  const { merchant: floorMerchant } = await services.merchants.createMerchant({ name: 'Floor AB', livemode: false });
  // UTC time zone so "today" is the same date the seed uses, whenever the bench runs.
  await db.execute(sql`update merchants set time_zone = 'UTC', legal_name = 'Bench AB', bankgiro = '5050-1055', invoice_number_prefix = 'B',
    address_line1 = 'Storgatan 1', postal_code = '111 22', city = 'Stockholm', registered_office = 'Stockholm',
    organisation_number = '556677-8899', vat_number = 'SE556677889901' where id in (${merchant.id}, ${floorMerchant.id})`);
  say(`seeding ${N} due subscriptions (twice: the run's and the floor's)`);
  await seedDueSubscriptions(db, { merchantId: merchant.id, count: N, nextBillDate: today, tag: '1' });
  await seedDueSubscriptions(db, { merchantId: floorMerchant.id, count: N, nextBillDate: today, tag: '2' });
  await db.execute(sql`vacuum analyze`);

  // --- The run ------------------------------------------------------------------------------------
  say(`billing run: ${N} subscriptions, batches of ${BATCH}, ${EXECUTORS} executor(s)`);
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const walAt = async () => String(((await db.execute(sql`select pg_current_wal_lsn()::text as l`)).rows[0] as { l: string }).l);
  const walMb = async (from: string) =>
    Number(((await db.execute(sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${from}::pg_lsn) / 1048576.0 as mb`)).rows[0] as { mb: string }).mb);
  const runWal = await walAt();
  const started = performance.now();
  const run = await billing.createRun(merchant.id, { trigger: 'api' });
  await Promise.all(Array.from({ length: EXECUTORS }, () => billing.executeRun(merchant.id, run.id)));
  const runMs = performance.now() - started;
  clearInterval(sampler);
  const runWalMb = await walMb(runWal);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const check = (await db.execute(sql`
    select count(*)::int as invoices, count(distinct number_seq)::int as numbers, max(number_seq)::int as max_seq,
      count(distinct subscription_id)::int as subscriptions,
      (select count(*)::int from invoice_lines where merchant_id = ${merchant.id}) as lines,
      (select count(*)::int from events where merchant_id = ${merchant.id}) as events
    from invoices where merchant_id = ${merchant.id}`)).rows[0] as Record<string, number>;
  const ok = check.invoices === N && check.numbers === N && check.max_seq === N && check.subscriptions === N && check.lines === N;
  say(`check: ${JSON.stringify(check)} ${ok ? 'ok' : 'MISMATCH'}`);
  if (!ok) throw new Error('the run did not create exactly one numbered invoice per subscription');

  // --- The floor: one INSERT … SELECT of the same invoice and line rows ----------------------------
  const floorWal = await walAt();
  const floorStarted = performance.now();
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into invoices (merchant_id, id, customer_id, subscription_id, billing_reason, status, currency, series, number_seq,
        number, ocr_reference, issue_date, due_date, period_start, period_end, subtotal, vat_total, total, rounding, amount_due,
        amount_paid, amount_credited, amount_remaining, vat_breakdown, seller, buyer, reverse_charge, locale, payment_terms_days,
        metadata, created_at, updated_at, finalized_at)
      select s.merchant_id, 'in_' || s.id, s.customer_id, s.id, 'subscription_cycle', 'open', 'SEK', 'B', row_number() over (),
        'B' || row_number() over (), lpad((row_number() over ())::text, 8, '0'), s.next_bill_date, s.next_bill_date + 30,
        s.next_bill_date, s.next_bill_date + 30, 15920, 3980, 19900, 0, 19900, 0, 0, 19900,
        '[{"vatRate":25,"net":15920,"vat":3980}]'::jsonb, '{"name":"Floor AB"}'::jsonb,
        jsonb_build_object('name', c.name, 'addressLines', jsonb_build_array(c.address_line1, c.postal_code || ' ' || c.city)),
        false, 'sv', 30, '{}', now(), now(), now()
      from subscriptions s join customers c on c.merchant_id = s.merchant_id and c.id = s.customer_id
      where s.merchant_id = ${floorMerchant.id}`);
    await tx.execute(sql`
      insert into invoice_lines (merchant_id, invoice_id, line_no, description, quantity, unit_amount, tax_behavior, vat_rate,
        net, vat, gross, price_id, subscription_item_id, period_start, period_end, proration)
      select si.merchant_id, 'in_' || si.subscription_id, 1, 'Omtanke Bas', si.quantity, 19900, 'inclusive', 25, 15920, 3980, 19900,
        si.price_id, si.id, current_date, current_date + 30, false
      from subscription_items si where si.merchant_id = ${floorMerchant.id}`);
  });
  const floorMs = performance.now() - floorStarted;
  const floorWalMb = await walMb(floorWal);

  const rate = N / (runMs / 1000);
  const floorRate = N / (floorMs / 1000);
  const out = [
    '',
    `PostgreSQL ${await bench.serverVersion()}, Node ${process.version}, ${N} subscriptions, batch ${BATCH}, ${EXECUTORS} executor(s)`,
    '',
    '| measurement | time (s) | invoices/s | peak RSS (MB) | WAL (MB) |',
    '|---|---|---|---|---|',
    `| billing run (invoice + line + number + OCR + 2 events each, batched transactions) | ${(runMs / 1000).toFixed(2)} | ${Math.round(rate)} | ${Math.round(peakRss / 1048576)} | ${Math.round(runWalMb)} |`,
    `| floor: one INSERT … SELECT of the same invoice and line rows | ${(floorMs / 1000).toFixed(2)} | ${Math.round(floorRate)} | – | ${Math.round(floorWalMb)} |`,
    '',
    `run / floor time: ${(runMs / floorMs).toFixed(2)}x (goal ≤ 4x); goal ≥ 5,000 invoices/s: ${rate >= 5000 ? 'met' : 'not met'}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  await bench.cleanup();
});
