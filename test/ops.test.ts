import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildTestApp, call, TEST_CONFIG } from './helpers/app.ts';
import { createServices } from '../src/services.ts';
import { noJobs } from '../src/jobs/queue.ts';
import { buildApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { systemClock } from '../src/clock.ts';
import { freshDatabase, urlFor } from './helpers/db.ts';
import { readFileSync } from 'node:fs';
import { MIGRATIONS_FOLDER, runMigrations } from '../src/db/migrate.ts';
import { purgeExpired } from '../src/http/idempotency-store.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

t.test('healthz and readyz', async (t) => {
  const { app, database } = await buildTestApp(t);
  t.same((await call(app, { method: 'GET', url: '/healthz' })).json, { status: 'ok' });
  const ready = await call(app, { method: 'GET', url: '/readyz' });
  t.equal(ready.status, 200);
  t.same(ready.json.checks, { database: true, job_queue: true });
  await database.pool.query('alter schema pgboss rename to pgboss_away');
  const noQueue = await call(app, { method: 'GET', url: '/readyz' });
  t.equal(noQueue.status, 503);
  t.equal(noQueue.json.checks.job_queue, false);
  await database.pool.query('alter schema pgboss_away rename to pgboss');
  await database.pool.end();
  const down = await call(app, { method: 'GET', url: '/readyz' });
  t.equal(down.status, 503, 'database unreachable');
  t.equal(down.json.checks.database, false);
  t.equal((await call(app, { method: 'GET', url: '/healthz' })).status, 200, 'liveness does not depend on the database');
});

t.test('migrations: concurrent starts apply each migration once', async (t) => {
  const name = `omtanke_mig_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  t.teardown(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  await Promise.all(Array.from({ length: 4 }, () => runMigrations(urlFor(name))));
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };
  const c = new pg.Client({ connectionString: urlFor(name) });
  await c.connect();
  const applied = await c.query('select count(*)::int as n, count(distinct hash)::int as distinct_n from drizzle.__drizzle_migrations');
  const tables = await c.query("select table_name from information_schema.tables where table_schema = 'public' order by 1");
  await c.end();
  t.same(applied.rows[0], { n: journal.entries.length, distinct_n: journal.entries.length }, 'each migration recorded exactly once');
  t.ok(tables.rows.some((r) => r.table_name === 'customers'), 'the schema is there');
});

t.test('expired idempotency keys are purged', async (t) => {
  const { app, merchant, database, clock } = await buildTestApp(t);
  const m = await merchant();
  for (const k of ['a', 'b', 'c']) {
    await call(app, { method: 'POST', url: '/v1/customers', headers: { ...m.auth, 'idempotency-key': k }, payload: { name: k } });
  }
  t.equal(await purgeExpired(database.db, clock.now()), 0, 'nothing expired yet');
  clock.advance(25 * 3600_000);
  t.equal(await purgeExpired(database.db, clock.now(), 2), 3, 'all expired rows, in batches');
  t.equal((await database.pool.query('select count(*)::int as n from idempotency_keys')).rows[0].n, 0);
  t.equal((await database.pool.query('select count(*)::int as n from customers')).rows[0].n, 3, 'customers untouched');
});

t.test('the service starts, serves, and stops cleanly on SIGTERM', async (t) => {
  const db = await freshDatabase(t);
  const child = spawn(process.execPath, ['src/main.ts', 'all'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${out}${err}`)), 20_000);
    const check = setInterval(() => {
      const m = /Swagger UI: (http:\/\/[^\s]+)\/docs/.exec(err);
      if (m) {
        clearInterval(check);
        clearTimeout(timer);
        resolve(m[1]!);
      }
    }, 50);
  });
  t.match(err, /API key \(shown once\): sk_test_[0-9A-Za-z]{40}/, 'first start prints a development key');
  const key = /sk_test_[0-9A-Za-z]{40}/.exec(err)![0];
  const res = await fetch(`${url}/v1/customers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"name":"Live test"}' });
  t.equal(res.status, 201);
  t.equal((await fetch(`${url}/readyz`)).status, 200);
  const docs = await fetch(`${url}/docs/`);
  t.equal(docs.status, 200, 'Swagger UI');
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string };
  t.equal(doc.openapi, '3.1.0');
  // A request in flight when SIGTERM arrives still completes: hold a lock its INSERT needs.
  const blocker = new pg.Client({ connectionString: db.url });
  await blocker.connect();
  await blocker.query('begin; lock table customers in exclusive mode');
  const inFlight = fetch(`${url}/v1/customers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"name":"In flight"}' });
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  child.kill('SIGTERM');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  await new Promise((r) => setTimeout(r, 500));
  await blocker.query('commit');
  await blocker.end();
  t.equal((await inFlight).status, 201, 'the in-flight request finished');
  const code = await exited;
  t.equal(code, 0, 'exit 0');
  t.ok(Date.now() - started < 10_000, 'within 10 s');
  const rows = await db.pool.query('select count(*)::int as n from customers');
  t.equal(rows.rows[0].n, 2, 'both customers committed');
  t.match(out, /"msg":"stopped"/);
  t.notOk(out.includes(key), 'the key is not in the JSON log');
});

t.test('merchant:create prints one JSON object with a working key', async (t) => {
  const db = await freshDatabase(t);
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['scripts/merchant-create.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: db.url } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => resolve({ code, out, err }));
    });
  const r = await run(['--name', 'Acme AB']);
  t.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  t.equal(lines.length, 1, 'exactly one line on stdout');
  const o = JSON.parse(lines[0]!);
  t.match(o.merchant.id, /^mer_/);
  t.equal(o.merchant.name, 'Acme AB');
  t.equal(o.merchant.livemode, false);
  t.match(o.api_key, /^sk_test_[0-9A-Za-z]{40}$/);
  const live = JSON.parse((await run(['--name', 'Live AB', '--live'])).out);
  t.match(live.api_key, /^sk_live_/);
  const bad = await run([]);
  t.equal(bad.code, 2, 'no name: usage error');
  t.equal(bad.out, '', 'nothing on stdout');

  const services = createServices({ db: db.db, clock: systemClock, jobs: noJobs, allowPrivateUrls: true });
  const app = await buildApp({ config: TEST_CONFIG, database: db, services, logger: createLogger('silent') });
  t.teardown(() => app.close());
  const me = await call(app, { method: 'GET', url: '/v1/merchant', headers: { authorization: `Bearer ${o.api_key}` } });
  t.equal(me.status, 200);
  t.equal(me.json.id, o.merchant.id);
});
