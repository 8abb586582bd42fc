// Lock order of the statements that touch webhook delivery rows concurrently (issue 9): a worker's
// batched success recording and a test clock's pull-forward of its pending deliveries once
// deadlocked, and the losing batch's lease ran out and it was sent again. Here both (and the
// claims of two workers) start at the same instant, many times, on overlapping rows: none may
// deadlock, and every success is recorded exactly once.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { buildTestApp, call } from '../helpers/app.ts';
import { newId } from '../../src/db/ids.ts';
import type { Db } from '../../src/db/client.ts';
import { claimDue, recordSuccesses, type Claimed, type Success } from '../../src/modules/webhooks/delivery-store.ts';
import { pullForwardForTestClock } from '../../src/modules/webhooks/store.ts';

const ROUNDS = 80;
const EVENTS = 24;
const JUMP_MS = 30 * 24 * 3600_000;

async function world(t: Parameters<typeof buildTestApp>[0]) {
  const w = await buildTestApp(t);
  const m = await w.merchant();
  const clockId = (await call(w.app, { method: 'POST', url: '/v1/test-clocks', headers: m.auth, payload: { frozen_time: '2026-11-25T09:00:00Z' } })).json.id as string;
  const customer = (await call(w.app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'Anna', test_clock: clockId } })).json.id as string;
  const endpoints: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await call(w.app, { method: 'POST', url: '/v1/webhook-endpoints', headers: m.auth, payload: { url: `http://127.0.0.1:9/hook${i}` } });
    endpoints.push(r.json.id as string);
  }
  const pool = w.database.pool;
  await pool.query(`delete from webhook_deliveries`);

  /** A round's rows: EVENTS events about the clock's customer, each pending for every endpoint. */
  async function seed(opts: { leased: boolean }) {
    // Random ids: the events' order (the pull-forward's natural order) has nothing to do with the
    // order the rows are locked in elsewhere.
    const events = Array.from({ length: EVENTS }, () => `evt_${randomBytes(8).toString('hex')}`);
    const now = w.clock.now();
    await pool.query(
      `insert into events (merchant_id, id, type, api_version, livemode, object_id, data, created_at)
       select $1, id, 'customer.updated', '2026-11-25', false, $2, '{"object":{}}', $3 from unnest($4::text[]) id`,
      [m.id, customer, now, events],
    );
    await pool.query(
      `insert into webhook_deliveries (merchant_id, endpoint_id, event_id, status, attempts, next_attempt_at, lease_until, created_at)
       select $1, ep, ev, 'pending', $2, $3, $4, $3 from unnest($5::text[]) ep cross join unnest($6::text[]) ev`,
      [m.id, opts.leased ? 1 : 0, now, opts.leased ? new Date(Date.now() + 60_000) : null, endpoints, events],
    );
    return events;
  }

  /**
   * Runs the statements so that they start at the same instant: a gate transaction holds the
   * deliveries table in EXCLUSIVE mode (which blocks row locks and writes, not reads) until every
   * statement is waiting for it, then lets them all go at once.
   */
  async function together<T>(statements: Array<() => Promise<T>>): Promise<PromiseSettledResult<T>[]> {
    const gate = new pg.Client({ connectionString: w.database.url });
    await gate.connect();
    try {
      await gate.query('begin');
      await gate.query('lock table webhook_deliveries in exclusive mode');
      const running = Promise.allSettled(statements.map((s) => s()));
      for (let i = 0; ; i++) {
        // One lock request on the table per statement, not granted while the gate holds it.
        const r = await gate.query(`select count(*)::int as n from pg_locks where relation = 'webhook_deliveries'::regclass and not granted`);
        if (r.rows[0].n >= statements.length) break;
        if (i > 2000) throw new Error('statements never reached the gate');
        await new Promise((r) => setTimeout(r, 2));
      }
      await gate.query('commit');
      return await running;
    } finally {
      await gate.end();
    }
  }

  return { ...w, m, clockId, customer, endpoints, seed, together };
}

/** The failed statements' SQLSTATE and message (drizzle wraps the driver's error). */
const failures = (results: PromiseSettledResult<unknown>[]) =>
  results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => {
      const e = r.reason as Error & { cause?: Error & { code?: string } };
      const pgErr = e.cause ?? (e as Error & { code?: string });
      return `${pgErr.code ?? 'error'}: ${pgErr.message.split('\n')[0]}`;
    });

function successes(w: { m: { id: string }; endpoints: string[] }, events: string[]): Success[] {
  const batch = events.flatMap((eventId) =>
    w.endpoints.map((endpointId) => ({ merchantId: w.m.id, endpointId, eventId, attempts: 1, attemptId: newId('webhookAttempt'), url: 'http://127.0.0.1:9/hook', statusCode: 200, latencyMs: 1, excerpt: 'ok' })),
  );
  // A worker's batch is in the order its requests happened to finish: any order at all.
  return batch.sort(() => Math.random() - 0.5);
}

/** The clock's catch-up transaction: the pull-forward, then the rest of the step, then commit. */
const pullForward = (w: { database: { db: Db }; m: { id: string }; clockId: string }) => () =>
  w.database.db.transaction(async (tx) => {
    const n = await pullForwardForTestClock(tx, w.m.id, w.clockId, JUMP_MS);
    await tx.execute(sql`select pg_sleep(0.005)`);
    return n;
  });

/** Every delivery of these events delivered, each with exactly one successful attempt. */
async function ledger(pool: pg.Pool, events: string[]) {
  const r = await pool.query(
    `select d.status, count(a.id)::int as successes from webhook_deliveries d
     left join webhook_attempts a on a.merchant_id = d.merchant_id and a.endpoint_id = d.endpoint_id and a.event_id = d.event_id and a.succeeded
     where d.event_id = any($1) group by d.merchant_id, d.endpoint_id, d.event_id, d.status`,
    [events],
  );
  return { rows: r.rows.length, exactlyOnce: r.rows.filter((x) => x.status === 'delivered' && x.successes === 1).length };
}

t.test('recording successes and a test clock pull-forward on the same rows never deadlock', async (t) => {
  const w = await world(t);
  const { db, pool } = w.database;
  const errors: string[] = [];
  const delivered: string[] = [];
  let recorded = 0;
  let expected = 0;
  let lastBatch: Success[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const leased = await w.seed({ leased: true });
    const idle = await w.seed({ leased: false });
    const batch = successes(w, leased);
    expected += batch.length;
    const results = await w.together<number>([() => recordSuccesses(db, batch, w.clock.now()), pullForward(w)]);
    errors.push(...failures(results));
    if (results[0]!.status === 'fulfilled') recorded += results[0]!.value;
    delivered.push(...leased);
    lastBatch = batch;
    // Rows nobody else held are pulled forward, by the whole jump.
    const moved = await pool.query(`select count(*)::int as n from webhook_deliveries where event_id = any($1) and next_attempt_at = $2`, [
      idle,
      new Date(w.clock.now().getTime() - JUMP_MS),
    ]);
    if (results[1]!.status === 'fulfilled' && moved.rows[0].n !== idle.length * w.endpoints.length) t.fail(`round ${round}: ${moved.rows[0].n} idle deliveries pulled forward`);
    await pool.query(`delete from webhook_deliveries where event_id = any($1)`, [idle]);
  }
  t.same(errors, [], 'no statement failed (no deadlock detected)');
  t.equal(recorded, expected, `every success recorded (${expected} in ${ROUNDS} rounds)`);
  t.same(await ledger(pool, delivered), { rows: expected, exactlyOnce: expected }, 'each delivery delivered, with exactly one successful attempt');
  // Recording is idempotent: a batch recorded again (say after an error that hid its commit) adds nothing.
  t.equal(await recordSuccesses(db, lastBatch, w.clock.now()), 0, 'a batch recorded twice records nothing the second time');
  t.same(await ledger(pool, delivered), { rows: expected, exactlyOnce: expected }, 'the ledger is unchanged');
});

t.test('two workers claiming and recording, and a pull-forward, all at once on the same rows and endpoints', async (t) => {
  const w = await world(t);
  const { db, pool } = w.database;
  const errors: string[] = [];
  const twice: string[] = [];
  const delivered: string[] = [];
  let expected = 0;
  for (let round = 0; round < ROUNDS / 4; round++) {
    // Two workers' batches: disjoint deliveries, the same endpoints, all failing until now.
    const a = await w.seed({ leased: true });
    const b = await w.seed({ leased: true });
    const due = await w.seed({ leased: false });
    await pool.query(`update webhook_endpoints set failing_since = $1`, [w.clock.now()]);
    const wall = new Date();
    const claim = () => claimDue(db, { now: w.clock.now(), wall, leaseUntil: new Date(wall.getTime() + 60_000), batch: 200, perEndpoint: 1000 });
    const results = await w.together<unknown>([
      () => recordSuccesses(db, successes(w, a), w.clock.now()),
      () => recordSuccesses(db, successes(w, b), w.clock.now()),
      claim,
      claim,
      pullForward(w),
    ]);
    errors.push(...failures(results));
    delivered.push(...a, ...b);
    expected += (a.length + b.length) * w.endpoints.length;
    const keys = results.slice(2, 4).flatMap((r) => (r.status === 'fulfilled' ? (r.value as Claimed[]) : [])).map((c) => `${c.endpoint_id}/${c.event_id}`);
    twice.push(...keys.filter((k, i) => keys.indexOf(k) !== i));
    const state = await pool.query(`select count(*) filter (where lease_until is not null)::int as leased, max(attempts)::int as attempts from webhook_deliveries where event_id = any($1)`, [due]);
    if (state.rows[0].leased !== keys.length || state.rows[0].attempts > 1) t.fail(`round ${round}: ${keys.length} claims, ${state.rows[0].leased} leased, attempts up to ${state.rows[0].attempts}`);
    await pool.query(`delete from webhook_deliveries where event_id = any($1)`, [due]);
  }
  t.same(errors, [], 'no statement failed (no deadlock detected)');
  t.same(twice, [], 'no delivery handed to both workers');
  t.same(await ledger(pool, delivered), { rows: expected, exactlyOnce: expected }, 'each success recorded exactly once');
  const failing = await pool.query(`select count(*)::int as n from webhook_endpoints where failing_since is not null`);
  t.equal(failing.rows[0].n, 0, 'a success clears its endpoint’s failure run');
});
