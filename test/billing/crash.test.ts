// A billing run's process killed (SIGKILL) in the middle of its work: running it again completes
// it, with exactly one invoice per subscription and numbers without gaps.
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { freshDatabase } from '../helpers/db.ts';
import { seedDueSubscriptions } from '../helpers/seed-billing.ts';
import { SELLER_SETTINGS } from './world.ts';
import { createServices } from '../../src/services.ts';
import { systemClock } from '../../src/clock.ts';
import { noJobs } from '../../src/jobs/queue.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const N = 3000;

t.test('a run killed midway is completed by running it again', async (t) => {
  const database = await freshDatabase(t, { poolMax: 4 });
  const services = createServices({ db: database.db, clock: systemClock, jobs: noJobs, allowPrivateUrls: true, billingBatchSize: 50 });
  const { merchant } = await services.merchants.createMerchant({ name: 'Crash AB', livemode: false });
  await services.merchants.updateSettings({ merchantId: merchant.id, livemode: false }, SELLER_SETTINGS);
  const today = new Date().toISOString().slice(0, 10);
  await database.db.execute(sql`update merchants set time_zone = 'UTC' where id = ${merchant.id}`);
  await seedDueSubscriptions(database.db, { merchantId: merchant.id, count: N, nextBillDate: today });
  const run = await services.billing.createRun(merchant.id, { trigger: 'api' });

  const count = async () => Number(((await database.db.execute(sql`select count(*)::int as n from invoices where merchant_id = ${merchant.id}`)).rows[0] as { n: number }).n);
  const child = spawn(process.execPath, ['scripts/billing-run.ts', '--merchant', merchant.id, '--run', run.id, '--batch', '50'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r(signal ?? code)));
  t.teardown(() => child.kill('SIGKILL'));
  let atKill = 0;
  for (let i = 0; i < 3000 && atKill < 500; i++) {
    await new Promise((r) => setTimeout(r, 10));
    atKill = await count();
  }
  child.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL', 'the process was killed');
  const left = await count();
  t.ok(left >= 500 && left < N, `killed midway: ${left} of ${N} invoices committed`);
  t.equal(left % 50, 0, 'only whole batches committed');

  const done = await services.billing.executeRun(merchant.id, run.id);
  t.match(done, { status: 'completed', invoicesCreated: N });
  const facts = (await database.db.execute(sql`
    select count(*)::int as invoices, count(distinct subscription_id)::int as subscriptions, min(number_seq)::int as min,
      max(number_seq)::int as max, count(distinct number_seq)::int as numbers,
      (select count(*)::int from events where merchant_id = ${merchant.id} and type = 'invoice.finalized') as finalized
    from invoices where merchant_id = ${merchant.id}`)).rows[0];
  t.same(facts, { invoices: N, subscriptions: N, min: 1, max: N, numbers: N, finalized: N }, 'exactly once, no gaps');
});
