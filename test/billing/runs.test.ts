// The billing run's guarantees on real PostgreSQL: exactly one invoice per subscription and
// period with two runs at once, after a run is stopped midway or a batch crashes, and when the
// schedule missed periods; numbers stay gap-free throughout.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { buildTestApp, call } from '../helpers/app.ts';
import { seedDueSubscriptions } from '../helpers/seed-billing.ts';
import type { Db } from '../../src/db/client.ts';

async function world(t: Parameters<typeof buildTestApp>[0], count: number) {
  const w = await buildTestApp(t, { poolMax: 8, billingBatchSize: 100 });
  const m = await w.merchant('Run AB');
  await call(w.app, { method: 'PATCH', url: '/v1/merchant', headers: m.auth, payload: { invoice_number_prefix: 'R' } });
  await seedDueSubscriptions(w.database.db, { merchantId: m.id, count, nextBillDate: '2026-11-25' });
  return { ...w, m, billing: w.services.billing };
}

async function invoiceFacts(db: Db, merchantId: string) {
  const r = await db.execute(sql`
    select count(*)::int as invoices, count(distinct (subscription_id, period_start))::int as distinct_periods,
      coalesce(min(number_seq), 0)::int as min_seq, coalesce(max(number_seq), 0)::int as max_seq,
      count(distinct number_seq)::int as distinct_numbers, count(distinct ocr_reference)::int as distinct_ocr,
      (select count(*)::int from invoice_lines where merchant_id = ${merchantId}) as lines,
      (select count(*)::int from subscriptions where merchant_id = ${merchantId} and next_bill_date = '2026-12-25') as advanced,
      (select count(*)::int from events where merchant_id = ${merchantId} and type = 'invoice.finalized') as finalized_events
    from invoices where merchant_id = ${merchantId}`);
  return r.rows[0] as Record<string, number>;
}

const ALL_DONE = (n: number) => ({ invoices: n, distinct_periods: n, min_seq: 1, max_seq: n, distinct_numbers: n, distinct_ocr: n, lines: n, advanced: n, finalized_events: n });

t.test('two runs at once: every subscription billed exactly once, numbers without gaps', async (t) => {
  const w = await world(t, 1200);
  // A webhook endpoint that wants finalized invoices: each one fans out in the batch's transaction.
  const hook = await call(w.app, { method: 'POST', url: '/v1/webhook-endpoints', headers: w.m.auth, payload: { url: 'http://127.0.0.1:9/hooks', enabled_events: ['invoice.finalized'] } });
  t.equal(hook.status, 201, hook.body);
  const [a, b] = [await w.billing.createRun(w.m.id, { trigger: 'api' }), await w.billing.createRun(w.m.id, { trigger: 'schedule' })];
  t.equal(a.subscriptionsDue, 1200);
  const [ra, rb] = await Promise.all([w.billing.executeRun(w.m.id, a.id), w.billing.executeRun(w.m.id, b.id)]);
  t.equal(ra.status, 'completed');
  t.equal(rb.status, 'completed');
  t.equal(ra.invoicesCreated + rb.invoicesCreated, 1200, 'the runs shared the work');
  t.ok(ra.invoicesCreated > 0 && rb.invoicesCreated > 0, `both worked (${ra.invoicesCreated} + ${rb.invoicesCreated})`);
  t.same(await invoiceFacts(w.database.db, w.m.id), ALL_DONE(1200));
  const deliveries = await w.database.db.execute(sql`
    select count(*)::int as n, count(distinct d.event_id)::int as events from webhook_deliveries d
    join events e on e.merchant_id = d.merchant_id and e.id = d.event_id where d.merchant_id = ${w.m.id} and e.type = 'invoice.finalized'`);
  t.same(deliveries.rows[0], { n: 1200, events: 1200 }, 'one delivery per finalized invoice');
  const sample = await w.database.db.execute(sql`
    select e.data->'object'->>'number' as number, i.number as invoice_number from events e
    join invoices i on i.merchant_id = e.merchant_id and i.id = e.object_id
    where e.merchant_id = ${w.m.id} and e.type = 'invoice.created'`);
  t.ok(sample.rows.every((r: any) => r.number === r.invoice_number), 'each event carries its own invoice');
  // A third run finds nothing.
  const c = await w.billing.executeRun(w.m.id, (await w.billing.createRun(w.m.id, { trigger: 'api' })).id);
  t.match(c, { status: 'completed', subscriptionsDue: 0, invoicesCreated: 0 });
});

t.test('a run stopped midway is finished by running it again', async (t) => {
  const w = await world(t, 1000);
  const run = await w.billing.createRun(w.m.id, { trigger: 'api' });
  const stopped = await w.billing.executeRun(w.m.id, run.id, { maxBatches: 3 });
  t.match(stopped, { status: 'running', invoicesCreated: 300, batches: 3 });

  // Progress as the API shows it: done and left.
  const progress = await call(w.app, { method: 'GET', url: `/v1/billing-runs/${run.id}`, headers: w.m.auth });
  t.match(progress.json, { object: 'billing_run', status: 'running', subscriptions_due: 1000, invoices_created: 300, subscriptions_left: 700, progress: { done: 300, left: 700 } });

  const done = await w.billing.executeRun(w.m.id, run.id);
  t.match(done, { status: 'completed', invoicesCreated: 1000 });
  t.same(await invoiceFacts(w.database.db, w.m.id), ALL_DONE(1000));
  const after = await call(w.app, { method: 'GET', url: `/v1/billing-runs/${run.id}`, headers: w.m.auth });
  t.match(after.json, { status: 'completed', invoices_created: 1000, subscriptions_left: 0 });
});

t.test('a batch that crashes rolls back whole; the retry completes without gaps', async (t) => {
  const w = await world(t, 1000);
  // The 450th invoice number makes its batch fail after half the batch is written.
  await w.database.db.execute(sql.raw(`
    create function crash_at_450() returns trigger language plpgsql as $$
    begin if new.number_seq = 450 then raise exception 'simulated crash'; end if; return new; end $$;
    create trigger crash_at_450 before insert on invoices for each row execute function crash_at_450();`));
  const run = await w.billing.createRun(w.m.id, { trigger: 'api' });
  await t.rejects(w.billing.executeRun(w.m.id, run.id).catch((e: Error) => Promise.reject(new Error(String((e.cause as Error)?.message)))), /simulated crash/);
  const failed = await call(w.app, { method: 'GET', url: `/v1/billing-runs/${run.id}`, headers: w.m.auth });
  t.match(failed.json, { status: 'failed', invoices_created: 400, subscriptions_left: 600, last_error: /simulated crash/ });
  t.match(await invoiceFacts(w.database.db, w.m.id), { invoices: 400, max_seq: 400, advanced: 400, finalized_events: 400 }, 'nothing of the failed batch remains');

  await w.database.db.execute(sql.raw('drop trigger crash_at_450 on invoices'));
  // The schedule's tick picks up the failed run once it is stale.
  w.clock.advance(10 * 60_000);
  const tick = await w.billing.tick();
  t.match(tick, { resumed: 1 });
  t.same(await invoiceFacts(w.database.db, w.m.id), ALL_DONE(1000));
});

t.test('missed schedules are caught up from the data; hourly re-runs add nothing', async (t) => {
  const w = await world(t, 50);
  // No worker ran for three months: each subscription has four periods due, billed in order.
  w.clock.set('2027-02-25T09:00:00Z');
  const first = await w.billing.tick();
  t.match(first, { started: 1 });
  const r = await w.database.db.execute(sql`
    select subscription_id, array_agg(to_char(period_start, 'YYYY-MM-DD') order by number_seq) as periods
    from invoices where merchant_id = ${w.m.id} group by subscription_id`);
  t.equal(r.rows.length, 50);
  for (const row of r.rows as { periods: string[] }[]) t.same(row.periods, ['2026-11-25', '2026-12-25', '2027-01-25', '2027-02-25']);
  for (let h = 1; h <= 3; h++) {
    w.clock.advance(3600_000);
    t.match(await w.billing.tick(), { started: 0 }, `tick +${h}h finds nothing`);
  }
  const count = await w.database.db.execute(sql`select count(*)::int as n from invoices where merchant_id = ${w.m.id}`);
  t.equal((count.rows[0] as { n: number }).n, 200);
});

t.test('POST /v1/billing-runs runs in the background and reports progress', async (t) => {
  const w = await world(t, 30);
  const started = await call(w.app, { method: 'POST', url: '/v1/billing-runs', headers: w.m.auth });
  t.equal(started.status, 202, started.body);
  t.match(started.json, { object: 'billing_run', trigger: 'api', subscriptions_due: 30, as_of: '2026-11-25T09:00:00.000Z' });
  let run = started.json;
  for (let i = 0; i < 200 && run.status !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 10));
    run = (await call(w.app, { method: 'GET', url: `/v1/billing-runs/${started.json.id}`, headers: w.m.auth })).json;
  }
  t.match(run, { status: 'completed', invoices_created: 30, subscriptions_left: 0 });
  const list = await call(w.app, { method: 'GET', url: '/v1/billing-runs', headers: w.m.auth });
  t.equal(list.json.data[0].id, run.id);
  const other = await w.merchant('Other AB');
  t.equal((await call(w.app, { method: 'GET', url: `/v1/billing-runs/${run.id}`, headers: other.auth })).status, 404);
});
