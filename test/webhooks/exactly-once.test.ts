// A delivery a receiver answered 2xx is never sent again, and the ledger holds one success per
// delivery (issue 9): with two worker processes (two delivery workers, each with its own pool)
// delivering while the API records events and test clocks pull their customers' deliveries
// forward, against real local receivers; and when recording a success fails for a moment.
import t from 'tap';
import { Writable } from 'node:stream';
import { call } from '../helpers/app.ts';
import { startReceiver, type Reply } from '../helpers/receiver.ts';
import { webhookWorld } from './helpers.ts';
import { createDatabase } from '../../src/db/client.ts';
import { fixedClock, systemClock, type Clock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createDeliveryWorker, transient, type DeliveryConfig } from '../../src/modules/webhooks/delivery.ts';
import { pullForwardForTestClock } from '../../src/modules/webhooks/store.ts';

const CUSTOMERS = Number(process.env.TW_CUSTOMERS ?? 150);
const JUMP_MS = 3600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type World = Awaited<ReturnType<typeof webhookWorld>>;

/** A worker process of its own: its own pool (and LISTEN connection), logging into `logs`. */
function workerProcess(t: Parameters<typeof webhookWorld>[0], w: World, logs: string[], opts: { wall?: Clock; config?: Partial<DeliveryConfig>; pool?: (p: ReturnType<typeof createDatabase>['pool']) => void } = {}) {
  const database = createDatabase(w.database.url, { max: 10, onError: () => {} });
  opts.pool?.(database.pool);
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const worker = createDeliveryWorker({
    db: database.db,
    clock: w.clock,
    wall: opts.wall ?? systemClock,
    log: createLogger('warn', sink),
    webhooks: w.services.webhooks,
    random: () => 0.5,
    config: { allowPrivateUrls: true, timeoutMs: 1000, connectTimeoutMs: 1000, concurrency: 20, perEndpoint: 8, pollMs: 100, ...opts.config },
  });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= worker.stop());
  t.teardown(async () => {
    await stop();
    await database.pool.end().catch(() => {});
  });
  return { start: (url: string) => worker.start(url), runOnce: () => worker.runOnce(), stop };
}

t.test('two workers, events flowing and test clock pull-forwards: every event reaches each endpoint exactly once', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const clocks: string[] = [];
  for (let i = 0; i < 2; i++) {
    clocks.push((await call(w.app, { method: 'POST', url: '/v1/test-clocks', headers: m.auth, payload: { frozen_time: '2026-11-25T09:00:00Z' } })).json.id as string);
  }

  // Two receivers, one endpoint each; every fourth of their first answers is a 500 (a retry,
  // due 5 s later in business time: only the clock's pull-forward makes it due now).
  const receivers = [w.receiver, await startReceiver(t, () => w.clock.now())];
  const scripts: Reply[][] = [];
  const endpoints: string[] = [];
  for (const r of receivers) {
    const script = Array.from({ length: 200 }, (_, i): Reply => (i % 4 === 1 ? { status: 500, body: 'later' } : { status: 200, body: 'ok' }));
    r.respond(...script);
    scripts.push(script);
    const ep = await call(w.app, { method: 'POST', url: '/v1/webhook-endpoints', headers: m.auth, payload: { url: r.url } });
    endpoints.push(ep.json.id as string);
  }

  const logs: string[] = [];
  const workers = [workerProcess(t, w, logs), workerProcess(t, w, logs)];
  for (const worker of workers) await worker.start(w.database.url);

  // The API side: customers on the clock are created and changed, a few at a time.
  const api = (async () => {
    for (let i = 0; i < CUSTOMERS; i += 5) {
      await Promise.all(
        Array.from({ length: 5 }, async (_, j) => {
          const c = await call(w.app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: `Kund ${i + j}`, test_clock: clocks[(i + j) % 2] } });
          await call(w.app, { method: 'PATCH', url: `/v1/customers/${c.json.id}`, headers: m.auth, payload: { email: `kund${i + j}@example.se` } });
        }),
      );
    }
  })();
  let apiDone = false;
  void api.finally(() => (apiDone = true));

  // The clocks' side (as if another API process advanced them): each catch-up transaction pulls
  // its customers' deliveries forward, again and again, while the workers record outcomes.
  const clockErrors: string[] = [];
  let pulls = 0;
  let finished = false;
  const pullers = clocks.map(async (clockId) => {
    while (!finished) {
      try {
        await w.database.db.transaction((tx) => pullForwardForTestClock(tx, m.id, clockId, JUMP_MS));
        pulls++;
      } catch (err) {
        const e = err as Error & { cause?: Error & { code?: string } };
        clockErrors.push(`${e.cause?.code ?? ''} ${(e.cause ?? e).message.split('\n')[0]}`);
      }
      await sleep(2);
    }
  });
  const deadline = Date.now() + 40_000;
  let pending = -1;
  while (Date.now() < deadline) {
    await sleep(50);
    if (!apiDone) continue;
    pending = (await w.database.pool.query(`select count(*)::int as n from webhook_deliveries where status <> 'delivered'`)).rows[0].n;
    if (pending === 0) break;
  }
  finished = true;
  await Promise.all(pullers);
  await api;
  for (const worker of workers) await worker.stop();
  t.equal(pending, 0, 'every delivery delivered');
  t.same(clockErrors, [], `no pull-forward failed (${pulls} pull-forwards)`);

  const events = (await w.database.pool.query(`select id from events where merchant_id = $1`, [m.id])).rows.map((r) => r.id as string);
  t.equal(events.length, CUSTOMERS * 2, 'a created and an updated event per customer');
  for (const [i, r] of receivers.entries()) {
    // The receiver answers its requests in arrival order: the i-th got the script's i-th reply.
    const answered = r.received.map((got, n) => ({ id: String(got.headers['webhook-id']), status: scripts[i]![n]?.status ?? 200 }));
    const ok = answered.filter((a) => a.status < 300).map((a) => a.id);
    const dup = ok.filter((id, n) => ok.indexOf(id) !== n);
    t.same(dup, [], `endpoint ${i + 1}: no event answered 2xx twice`);
    t.same([...new Set(ok)].sort(), [...events].sort(), `endpoint ${i + 1}: every event answered 2xx once`);
    t.ok(answered.some((a) => a.status >= 500), `endpoint ${i + 1}: some were retried`);
    // The ledger agrees with the receiver: one success per delivery, one attempt per request.
    const ledger = await w.database.pool.query(
      `select d.event_id, d.status, d.attempts, count(a.id) filter (where a.succeeded)::int as successes, count(a.id)::int as recorded
       from webhook_deliveries d left join webhook_attempts a on a.merchant_id = d.merchant_id and a.endpoint_id = d.endpoint_id and a.event_id = d.event_id
       where d.endpoint_id = $1 group by d.event_id, d.status, d.attempts`,
      [endpoints[i]],
    );
    const requests = new Map<string, number>();
    for (const a of answered) requests.set(a.id, (requests.get(a.id) ?? 0) + 1);
    const wrong = ledger.rows.filter((d) => d.status !== 'delivered' || d.successes !== 1 || d.recorded !== requests.get(d.event_id) || d.attempts !== d.recorded);
    t.equal(ledger.rows.length, events.length, `endpoint ${i + 1}: one delivery per event`);
    t.same(wrong, [], `endpoint ${i + 1}: each delivery delivered, one success, every request recorded`);
  }
  const retried = logs.filter((l) => l.includes('trying again'));
  t.comment(`${retried.length} recordings tried again after a transient error`);
  t.same(logs.filter((l) => /"level":(50|60)/.test(l)), [], 'the workers logged no errors');
});

/**
 * Makes the first `times` statements matching `pattern` on the pool's connections fail with the
 * given SQLSTATE, as PostgreSQL would (a failed COMMIT is followed by drizzle's ROLLBACK).
 */
function failing(pattern: RegExp, code: string, message: string, times = 1) {
  let left = times;
  return (pool: ReturnType<typeof createDatabase>['pool']) => {
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      client.query = ((...args: unknown[]) => {
        const first = args[0] as string | { text?: string };
        const text = typeof first === 'string' ? first : (first?.text ?? '');
        if (left > 0 && pattern.test(text)) {
          left--;
          const err = Object.assign(new Error(message), { code });
          // pg-pool's own query passes a callback; drizzle's transactions await a promise.
          const callback = args.at(-1);
          if (typeof callback === 'function') return void setImmediate(() => callback(err));
          return Promise.reject(err);
        }
        return query(...args);
      }) as typeof client.query;
    });
  };
}

t.test('a success whose recording deadlocks is recorded on the next try, and never sent again', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  const logs: string[] = [];
  const wall = fixedClock(new Date());
  // The worker's first success recording loses a deadlock (PostgreSQL rolls it back).
  const worker = workerProcess(t, w, logs, { wall, pool: failing(/set status = 'delivered'/, '40P01', 'deadlock detected') });
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await worker.runOnce();
  t.equal(w.receiver.received.length, 1);
  const d = await w.delivery(m, ep.id, ev.id);
  t.equal(d.status, 'delivered', 'recorded after all');
  t.ok(logs.some((l) => l.includes('trying again')), 'the retry is logged');
  // Long after the lease would have run out, nothing is due: no second delivery.
  wall.advance(3600_000);
  w.clock.advance(3600_000);
  await worker.runOnce();
  t.equal(w.receiver.received.length, 1, 'sent once');
  const attempts = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}/deliveries/${ev.id}/attempts`, headers: m.auth });
  t.same(attempts.json.data.map((a: { succeeded: boolean }) => a.succeeded), [true], 'one attempt, a success');
});

t.test('a failed attempt whose recording deadlocks is recorded on the next try', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  const logs: string[] = [];
  // The transaction recording the attempt fails to commit once (PostgreSQL rolls it back).
  const worker = workerProcess(t, w, logs, { pool: failing(/^commit$/i, '40001', 'could not serialize access') });
  w.receiver.respond({ status: 500 });
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await worker.runOnce();
  const d = await w.delivery(m, ep.id, ev.id);
  t.equal(d.status, 'pending');
  t.equal(new Date(d.next_attempt_at).getTime() - w.clock.now().getTime(), 5000, 'the retry is scheduled');
  t.ok(logs.some((l) => l.includes('trying again')), 'after a second try');
  const attempts = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}/deliveries/${ev.id}/attempts`, headers: m.auth });
  t.same(attempts.json.data.map((a: { status_code: number }) => a.status_code), [500], 'the attempt recorded once');
});

t.test('a 2xx answer holding a NUL byte is recorded (PostgreSQL text cannot hold one)', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  const logs: string[] = [];
  const wall = fixedClock(new Date());
  const worker = workerProcess(t, w, logs, { wall });
  w.receiver.respond({ status: 200, body: 'ok\u0000done' });
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await worker.runOnce();
  const d = await w.delivery(m, ep.id, ev.id);
  t.equal(d.status, 'delivered');
  wall.advance(3600_000);
  await worker.runOnce();
  t.equal(w.receiver.received.length, 1, 'sent once');
  const attempts = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}/deliveries/${ev.id}/attempts`, headers: m.auth });
  t.equal(attempts.json.data[0].response_excerpt, 'okdone');
});

t.test('which recording errors are worth trying again', async (t) => {
  const pgError = (code: string) => Object.assign(new Error('Failed query'), { cause: Object.assign(new Error(code), { code }) });
  for (const code of ['40P01', '40001', '55P03', '57P01', '08006', '53300']) t.ok(transient(pgError(code)), `${code} is tried again`);
  t.ok(transient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'a reset connection is tried again');
  t.ok(transient(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), 'a broken pipe is tried again');
  t.ok(transient(new Error('Connection terminated unexpectedly')), 'an error without a code is tried again');
  for (const code of ['22021', '23505', '42703', '0A000']) t.notOk(transient(pgError(code)), `${code} fails every time`);
});
