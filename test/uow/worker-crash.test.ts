// A worker process killed (SIGKILL, as in a deploy or an out-of-memory kill) in the middle of a test
// clock's catch-up over thousands of subscriptions: the next worker to start resumes it within
// seconds (its start-up sweep, not the hourly schedule), and every subscription is billed exactly
// once per period with invoice numbers that have no gaps.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { freshDatabase } from '../helpers/db.ts';
import { seedDueSubscriptions } from '../helpers/seed-billing.ts';
import { TEST_SECRETS_KEY } from '../helpers/secrets-key.ts';
import { workerProcesses } from '../helpers/worker-process.ts';
import { SELLER_SETTINGS } from '../billing/world.ts';
import { createServices } from '../../src/services.ts';
import { startJobs } from '../../src/jobs/boss.ts';
import { createLogger } from '../../src/logger.ts';
import { systemClock } from '../../src/clock.ts';

const SUBSCRIPTIONS = 1200;
const PERIODS = 3; // 2027-01-01, 02-01 and 03-01 fall inside the jump
const INVOICES = SUBSCRIPTIONS * PERIODS;
const BATCH = 100;

t.test('a worker killed mid-way through a clock advance: the next worker finishes it, exactly once, gapless', async (t) => {
  const database = await freshDatabase(t, { poolMax: 4 });
  const { db } = database;
  // This process only sends jobs (as an API process does); worker processes work them.
  const jobs = await startJobs({ url: database.url, log: createLogger('silent'), schedule: false });
  t.teardown(() => jobs.stop(1000).catch(() => {}));
  const services = createServices({ db, clock: systemClock, jobs: jobs.sender, allowPrivateUrls: true, secretsKey: TEST_SECRETS_KEY });
  const { merchant } = await services.merchants.createMerchant({ name: 'Krasch AB', livemode: false });
  const caller = { merchantId: merchant.id, livemode: false };
  await services.merchants.updateSettings(caller, { ...SELLER_SETTINGS, time_zone: 'UTC' });
  const clock = await services.testClocks.create(caller, { frozen_time: '2026-12-31T12:00:00Z' });
  await seedDueSubscriptions(db, { merchantId: merchant.id, count: SUBSCRIPTIONS, nextBillDate: '2027-01-01', testClockId: clock.id });
  // Billing is under test here: a reminder policy with nothing due inside the jump keeps the
  // catch-up to billing (test/dunning covers reminders on test clocks).
  await services.dunningPolicies.create(caller, { name: 'Later', is_default: true, steps: [{ key: 'esc', kind: 'escalation', offset: 365, offset_unit: 'days', tone: 'neutral', template: null, fee: false, attach_pdf: false }] });
  await services.testClocks.advance(caller, clock.id, { frozen_time: '2027-03-15T12:00:00Z' });

  const worker = workerProcesses(t, database.url, { BILLING_BATCH_SIZE: String(BATCH) });
  const count = async () => Number(((await db.execute(sql`select count(*)::int as n from invoices where merchant_id = ${merchant.id}`)).rows[0] as { n: number }).n);
  const status = async () => (await services.testClocks.get(caller, clock.id)).status;

  const first = worker();
  let atKill = 0;
  for (let i = 0; i < 6000 && atKill < 1000; i++) {
    await new Promise((r) => setTimeout(r, 10));
    atKill = await count();
  }
  first.child.kill('SIGKILL');
  t.equal(await first.exited, 'SIGKILL', 'the worker was killed');
  const left = await count();
  t.ok(left >= 1000 && left < INVOICES, `killed midway: ${left} of ${INVOICES} invoices committed`);
  t.equal(await status(), 'advancing', 'the clock is left advancing');
  t.equal(left % BATCH, 0, 'only whole batches committed');

  const started = Date.now();
  const second = worker();
  let resumedAfter = -1;
  // Up to about four minutes: on a loaded 2-core machine the catch-up (billing, then each invoice's
  // dunning case opened and planned) takes minutes; exactly-once is what is checked.
  for (let i = 0; i < 4800; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (resumedAfter < 0 && (await count()) > left) resumedAfter = Date.now() - started;
    if ((await status()) === 'ready') break;
  }
  t.equal(await status(), 'ready', 'the next worker finished the advance');
  t.ok(resumedAfter >= 0 && resumedAfter < 30_000, `it resumed ${resumedAfter} ms after the worker started`);
  t.comment(`resumed ${resumedAfter} ms after start; finished after ${Date.now() - started} ms`);

  const facts = (await db.execute(sql`
    select count(*)::int as invoices, count(distinct (subscription_id, period_start))::int as periods,
      min(number_seq)::int as min, max(number_seq)::int as max, count(distinct number_seq)::int as numbers,
      (select count(*)::int from subscriptions where merchant_id = ${merchant.id} and next_bill_date = '2027-04-01') as advanced,
      (select count(*)::int from events where merchant_id = ${merchant.id} and type = 'invoice.finalized') as finalized
    from invoices where merchant_id = ${merchant.id}`)).rows[0];
  t.same(
    facts,
    { invoices: INVOICES, periods: INVOICES, min: 1, max: INVOICES, numbers: INVOICES, advanced: SUBSCRIPTIONS, finalized: INVOICES },
    'every subscription billed exactly once per period; numbers 1…N without gaps; one event each',
  );
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0, 'the second worker stops cleanly on SIGTERM');
});
