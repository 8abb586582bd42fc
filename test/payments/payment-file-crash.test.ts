// A worker killed (SIGKILL) in the middle of a bank-file import: the next worker to start resumes
// it after the last committed batch (its start-up sweep), and every transaction of the file is
// recorded exactly once, with the file's progress and counts equal to what was recorded.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { freshDatabase } from '../helpers/db.ts';
import { TEST_SECRETS_KEY } from '../helpers/secrets-key.ts';
import { workerProcesses } from '../helpers/worker-process.ts';
import { writeBgmax } from '../helpers/bank-files.ts';
import { SELLER_SETTINGS } from '../billing/world.ts';
import { createServices } from '../../src/services.ts';
import { startJobs } from '../../src/jobs/boss.ts';
import { createLogger } from '../../src/logger.ts';
import { systemClock } from '../../src/clock.ts';

const PAYMENTS = 20_000;
const BATCH = 250;

t.test('a worker killed mid-import: the next worker finishes it, each transaction recorded once', async (t) => {
  const database = await freshDatabase(t, { poolMax: 4 });
  const { db } = database;
  const jobs = await startJobs({ url: database.url, log: createLogger('silent'), schedule: false });
  t.teardown(() => jobs.stop(1000).catch(() => {}));
  const services = createServices({ db, clock: systemClock, jobs: jobs.sender, allowPrivateUrls: true, secretsKey: TEST_SECRETS_KEY });
  const { merchant } = await services.merchants.createMerchant({ name: 'Krasch AB', livemode: false });
  const caller = { merchantId: merchant.id, livemode: false };
  await services.merchants.updateSettings(caller, { ...SELLER_SETTINGS, time_zone: 'UTC' });
  const payments = Array.from({ length: PAYMENTS }, (_, i) => ({ amount: 10_000 + (i % 5000), serial: i + 1, ocr: String(1_000_000 + i) }));
  const { file } = await services.paymentFiles.upload(caller, { content: writeBgmax({ payeeBankgiro: SELLER_SETTINGS.bankgiro, payments }), contentType: 'text/plain' });

  const worker = workerProcesses(t, database.url, { PAYMENT_FILE_BATCH_SIZE: String(BATCH) });
  const recorded = async () => Number(((await db.execute(sql`select count(*)::int as n from payments where merchant_id = ${merchant.id}`)).rows[0] as { n: number }).n);
  const state = () => services.paymentFiles.get(caller, file.id);

  const first = worker();
  let atKill = 0;
  for (let i = 0; i < 6000 && atKill < 2000; i++) {
    await new Promise((r) => setTimeout(r, 10));
    atKill = (await state()).transactionsDone;
  }
  first.child.kill('SIGKILL');
  t.equal(await first.exited, 'SIGKILL', 'the worker was killed');
  const left = await state();
  t.ok(left.transactionsDone >= 2000 && left.transactionsDone < PAYMENTS, `killed midway: ${left.transactionsDone} of ${PAYMENTS}`);
  t.equal(left.status, 'processing');
  t.equal(left.transactionsDone % BATCH, 0, 'only whole batches committed');
  t.equal(await recorded(), left.transactionsDone, 'progress commits with its batch');

  const started = Date.now();
  const second = worker();
  for (let i = 0; i < 2400 && (await state()).status === 'processing'; i++) await new Promise((r) => setTimeout(r, 50));
  const done = await state();
  t.equal(done.status, 'completed', 'the next worker finished the import');
  t.comment(`finished ${Date.now() - started} ms after the second worker started`);
  t.match(done, { transactionsDone: PAYMENTS, unmatchedCount: PAYMENTS, matchedCount: 0, duplicateCount: 0, unmatchedAmount: done.paymentAmount });
  const facts = (await db.execute(sql`
    select count(*)::int as payments, count(distinct external_key)::int as keys, sum(amount)::bigint as amount,
      (select count(*)::int from events where merchant_id = ${merchant.id} and type = 'payment.received') as received
    from payments where merchant_id = ${merchant.id}`)).rows[0] as Record<string, unknown>;
  t.same(facts, { payments: PAYMENTS, keys: PAYMENTS, amount: String(done.paymentAmount), received: PAYMENTS }, 'each transaction recorded exactly once, one event each');
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0, 'the second worker stops cleanly on SIGTERM');
});
