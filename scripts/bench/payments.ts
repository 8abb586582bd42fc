// Bank-file import benchmark: seeds N customers with one open invoice each (bulk SQL), writes a
// BgMax file of N payments whose OCR references pay those invoices, uploads it (parse, checks,
// store) and runs its import job (recordBatch in batches of its own transactions: payment,
// invoice paid, payment.received + invoice.paid events), and reports payments/s and peak RSS next
// to the floor: a COPY of the same payment rows into a scratch table, in the same run.
//
//   npm run bench:payments -- --payments 100000 [--batch 2000] [--profile]
//
// --profile adds the import's statements that took longest (calls, total time): where to look next.
import { parseArgs } from 'node:util';
import { writeFile, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { createDatabase } from '../../src/db/client.ts';
import { systemClock } from '../../src/clock.ts';
import type { JobSender } from '../../src/jobs/queue.ts';
import { createServices } from '../../src/services.ts';
import { newId } from '../../src/db/ids.ts';
import { parseBankFile } from '../../src/modules/payments/files/bank-file.ts';
import { externalKeyOf } from '../../src/modules/payments/file-import.ts';
import { seedDueSubscriptions } from '../../test/helpers/seed-billing.ts';
import { writeBgmax } from '../../test/helpers/bank-files.ts';
import { num, profileQueries, say, startBench } from './harness.ts';

const { values: args } = parseArgs({ options: { payments: { type: 'string' }, batch: { type: 'string' }, profile: { type: 'boolean' } } });
const N = Math.round(num('payments', args.payments ?? '100000', 1));
const BATCH = Math.round(num('batch', args.batch ?? '2000', 1));

let database: ReturnType<typeof createDatabase> | undefined;
const bench = startBench('bench:payments', async () => {
  await database?.pool.end().catch(() => {});
});

await bench.run(async () => {
  await bench.create();
  database = createDatabase(bench.url, { max: 6, onError: () => {} });
  const { db } = database;
  // The import job is run here, inline: the upload's job is noted and dropped.
  const jobs: JobSender = { send: async () => {} };
  const services = createServices({ db, clock: systemClock, jobs, allowPrivateUrls: false, paymentFileBatchSize: BATCH });
  const today = new Date().toISOString().slice(0, 10);
  const { merchant } = await services.merchants.createMerchant({ name: 'Bench AB', livemode: false });
  await db.execute(sql`update merchants set time_zone = 'UTC', legal_name = 'Bench AB', bankgiro = '5050-1055', invoice_number_prefix = 'B' where id = ${merchant.id}`);

  say(`seeding ${N} customers with one open invoice of 199 kr each`);
  await seedDueSubscriptions(db, { merchantId: merchant.id, count: N, nextBillDate: today, tag: '1' });
  await db.execute(sql`
    insert into invoices (merchant_id, id, customer_id, subscription_id, billing_reason, status, currency, series, number_seq,
      number, ocr_reference, issue_date, due_date, period_start, period_end, subtotal, vat_total, total, rounding, amount_due,
      amount_paid, amount_credited, amount_remaining, vat_breakdown, seller, buyer, reverse_charge, locale, payment_terms_days,
      metadata, created_at, updated_at, finalized_at)
    select s.merchant_id, 'in_' || substr(s.id, 5), s.customer_id, s.id, 'subscription_cycle', 'open', 'SEK', 'B', row_number() over (order by s.id),
      'B' || row_number() over (order by s.id), (1000000 + row_number() over (order by s.id))::text, s.next_bill_date, s.next_bill_date + 30,
      s.next_bill_date, s.next_bill_date + 30, 15920, 3980, 19900, 0, 19900, 0, 0, 19900,
      '[{"vatRate":25,"net":15920,"vat":3980}]'::jsonb, '{"name":"Bench AB"}'::jsonb, '{"name":"Kund"}'::jsonb,
      false, 'sv', 30, '{}', now(), now(), now()
    from subscriptions s where s.merchant_id = ${merchant.id}`);
  await db.execute(sql`vacuum analyze`);

  const file = writeBgmax({
    payeeBankgiro: '5050-1055',
    bookingDate: today,
    payments: Array.from({ length: N }, (_, i) => ({ amount: 19900, serial: i + 1, ocr: String(1000001 + i), payerName: `Kund ${i + 1}` })),
  });
  say(`BgMax file: ${N} payments, ${(file.length / 1048576).toFixed(1)} MB; import in batches of ${BATCH}`);

  // --- The import: upload (parse, payee check, store + job) and the job, timed together -----------
  const profile = args.profile ? profileQueries() : undefined;
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const caller = { merchantId: merchant.id, livemode: false };
  const { file: row } = await services.paymentFiles.upload(caller, { content: file, contentType: 'text/plain' });
  const uploadMs = performance.now() - started;
  await services.paymentFiles.importFile(merchant.id, row.id);
  const importMs = performance.now() - started;
  clearInterval(sampler);
  profile?.stop();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const done = await services.paymentFiles.get(caller, row.id);
  const check = (await db.execute(sql`
    select (select count(*)::int from payments where merchant_id = ${merchant.id} and status = 'matched') as matched,
      (select count(*)::int from invoices where merchant_id = ${merchant.id} and status = 'paid') as paid,
      (select count(*)::int from events where merchant_id = ${merchant.id}) as events`)).rows[0] as Record<string, number>;
  const ok = done.status === 'completed' && done.matchedCount === N && check.matched === N && check.paid === N;
  say(`check: ${JSON.stringify({ status: done.status, ...check })} ${ok ? 'ok' : 'MISMATCH'}`);
  if (!ok) throw new Error('the import did not pay exactly one invoice per payment');

  // --- The floor: COPY of the same payment rows (as CSV) into a scratch table ---------------------
  await db.execute(sql`create table payments_floor (like payments including defaults)`);
  const floorStarted = performance.now();
  const parsed = parseBankFile(file, 'text/plain');
  if (!parsed.ok) throw new Error('the file did not parse');
  const now = new Date().toISOString();
  const csv = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const lines = parsed.file.transactions.map((t) =>
    [merchant.id, newId('payment'), 'matched', t.amount, t.currency, t.bookingDate, 'bankgiro', t.reference.value,
      csv(JSON.stringify({ name: t.payer.name, nationalId: null, bankgiro: t.payer.bankgiro, account: null, email: null })),
      '', '', 'ocr', t.amount, 0, 0, 0, csv(externalKeyOf('bgmax', t)), csv(JSON.stringify({ payment_file: row.id })), now, now].join(','),
  );
  const path = join(tmpdir(), `omtanke-bench-payments-${process.pid}.csv`);
  await writeFile(path, lines.join('\n') + '\n');
  await chmod(path, 0o644);
  // Server-side COPY: the benchmark's PostgreSQL runs on this machine (embedded or local).
  await db.execute(sql.raw(`copy payments_floor (merchant_id, id, status, amount, currency, date, method, reference, payer, customer_id, invoice_id,
    matched_by, amount_applied, amount_credited, amount_unapplied, amount_refunded, external_key, metadata, created_at, updated_at)
    from '${path}' with (format csv)`));
  const floorMs = performance.now() - floorStarted;
  await rm(path, { force: true });

  // --- A second floor: the other rows the import wrote, written plainly: a COPY of its events (as
  // written, into a table with the same indexes) and one UPDATE marking the invoices paid. With
  // the payment rows above, this is the least any import of this file must write. --------------
  const eventsPath = join(tmpdir(), `omtanke-bench-events-${process.pid}.csv`);
  await db.execute(sql.raw(`copy (select * from events where merchant_id = '${merchant.id}') to '${eventsPath}' with (format csv)`));
  await db.execute(sql`create table events_floor (like events including all)`);
  await db.execute(sql`create table invoices_floor (like invoices including all)`);
  await db.execute(sql`insert into invoices_floor select * from invoices where merchant_id = ${merchant.id}`);
  await db.execute(sql`update invoices_floor set status = 'open', amount_paid = 0, amount_remaining = amount_due, paid_at = null`);
  await db.execute(sql`vacuum analyze invoices_floor`);
  const writesStarted = performance.now();
  await db.execute(sql.raw(`copy events_floor from '${eventsPath}' with (format csv)`));
  await db.execute(sql`update invoices_floor set status = 'paid', amount_paid = amount_due, amount_remaining = 0, paid_at = now(), updated_at = now()
    where merchant_id = ${merchant.id} and id in (select invoice_id from payments where merchant_id = ${merchant.id})`);
  const writesMs = floorMs + (performance.now() - writesStarted);
  await rm(eventsPath, { force: true });

  const rate = N / (importMs / 1000);
  const out = [
    '',
    `PostgreSQL ${await bench.serverVersion()}, Node ${process.version}, ${N} payments, batch ${BATCH}`,
    '',
    '| measurement | time (s) | payments/s | peak RSS (MB) |',
    '|---|---|---|---|',
    `| import (upload: parse + store ${(uploadMs / 1000).toFixed(2)} s; job: match, pay, 2 events each, batched transactions) | ${(importMs / 1000).toFixed(2)} | ${Math.round(rate)} | ${Math.round(peakRss / 1048576)} |`,
    `| floor: parse + COPY of the same payment rows into a scratch table | ${(floorMs / 1000).toFixed(2)} | ${Math.round(N / (floorMs / 1000))} | – |`,
    `| floor of every write: the above + COPY of the ${check.events} events as written + one UPDATE paying the invoices | ${(writesMs / 1000).toFixed(2)} | ${Math.round(N / (writesMs / 1000))} | – |`,
    '',
    `import / floor time: ${(importMs / floorMs).toFixed(2)}x (goal ≤ 5x); import / floor of every write: ${(importMs / writesMs).toFixed(2)}x; goal under 30 s: ${importMs < 30_000 ? 'met' : 'not met'}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  if (profile) {
    process.stdout.write('\nThe import\'s statements that took longest:\n');
    profile.report();
  }
  await bench.cleanup();
});
