// API benchmark: `npm run bench:api -- [--duration 10] [--soak-seconds 60] [--connections 50]`
// (`--help` lists the rest; `--only ours-get` runs one phase, e.g. under `node --cpu-prof`).
//
// 1. Throughput (closed loop, autocannon): our POST /v1/customers and GET /v1/customers/{id} against
//    a "bare" Fastify + pg floor doing the same writes (the customer and its customer.created outbox
//    event, one hand-written statement) / the same SELECT, with no auth, validation or mapping.
//    Goal: ours ≥ 0.5 × bare requests/s. Ours runs with the rate limit on (limits too high to ever
//    refuse) twice: with the bucket shared through PostgreSQL (the default) and in process memory
//    (RATE_LIMIT_SHARED=false); goal: the shared bucket costs ≤ 10 % (shared ≥ 0.9 × memory).
//    The POST is also measured with a fresh Idempotency-Key per request, next to a bare floor
//    doing what a keyed request needs at least (one transaction: the key's lock, its lookup, the
//    same insert, the stored response).
// 2. Subscriptions, one merchant with a recurring price (each create makes and finalises the first
//    invoice): (a) a burst of 200 concurrent idempotent POST /v1/subscriptions (goal: 0 errors);
//    (c) 1000 creates at a concurrency of 50, with and without Idempotency-Key: creates/s (goal
//    ≥ 300/s). Both check in the database that every 201 left a subscription and its invoice.
// 3. Soak (open loop, fixed arrival rate): 100 reads/s + 100 writes/s with one API key, rate limiting
//    on. Goal: 0 errors, p99 < 100 ms (latency measured from the scheduled send time).
//
// Runs on a fresh database on the server at DATABASE_URL (dropped at the end). The load generator
// runs in a worker thread (load-worker.ts) so it does not share an event loop with the servers.
// Always exits 0 after a completed run, goals met or not; prints Markdown tables and a JSON line.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { createServices } from '../../src/services.ts';
import { noJobs } from '../../src/jobs/queue.ts';
import { buildApp, type AppConfig } from '../../src/app.ts';
import { systemClock } from '../../src/clock.ts';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { newId } from '../../src/db/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { num, rpcWorker, say, startBench, type RpcWorker } from './harness.ts';
import type { RateLimitConfig } from '../../src/http/rate-limit.ts';
import type { BatchOptions, BatchRequest, BatchResult, ClosedLoopOptions, ClosedLoopResult, SoakOptions, SoakResult, WorkerRequest } from './load-worker.ts';
import { benchEnv, fmt, heading, round1, yes } from './report.ts';

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    'soak-seconds': { type: 'string', default: '60' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
    'soak-warmup': { type: 'string', default: '3' },
    'soak-read-rate': { type: 'string', default: '100' },
    'soak-write-rate': { type: 'string', default: '100' },
    'soak-bucket': { type: 'string', default: 'shared' },
    'pool-max': { type: 'string', default: '20' },
    'sub-burst': { type: 'string', default: '200' },
    'sub-creates': { type: 'string', default: '1000' },
    'sub-concurrency': { type: 'string', default: '50' },
    'sub-deadline': { type: 'string', default: '60' },
    only: { type: 'string' }, // comma list of phases (see PHASES), e.g. for profiling one
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

const PHASES = ['ours-post', 'ours-post-memory', 'bare-post', 'ours-post-key', 'bare-post-key', 'ours-get', 'ours-get-memory', 'bare-get', 'sub-burst', 'sub-rate', 'soak'] as const;

if (args.help) {
  process.stdout.write(
    'usage: npm run bench:api -- [--duration S=10] [--soak-seconds S=60] [--connections N=50] [--warmup S=2] [--rounds N=1]\n' +
      '       [--soak-warmup S=3] [--soak-read-rate N=100] [--soak-write-rate N=100] [--soak-bucket shared|memory] [--pool-max N=20]\n' +
      '       [--sub-burst N=200] [--sub-creates N=1000] [--sub-concurrency N=50] [--sub-deadline S=60] [--only PHASE,…]\n' +
      `phases: ${PHASES.join(', ')}\n`,
  );
  process.exit(0);
}

const DURATION = num('duration', args.duration, 1);
const SOAK_SECONDS = num('soak-seconds', args['soak-seconds'], 0);
const CONNECTIONS = Math.round(num('connections', args.connections, 1));
const WARMUP = num('warmup', args.warmup, 0);
const ROUNDS = Math.round(num('rounds', args.rounds, 1));
const SOAK_WARMUP = num('soak-warmup', args['soak-warmup'], 0);
const SOAK_READ_RATE = num('soak-read-rate', args['soak-read-rate'], 0);
const SOAK_WRITE_RATE = num('soak-write-rate', args['soak-write-rate'], 0);
const POOL_MAX = Math.round(num('pool-max', args['pool-max'], 1));
const SOAK_BUCKET = args['soak-bucket'];
if (SOAK_BUCKET !== 'shared' && SOAK_BUCKET !== 'memory') {
  process.stderr.write('--soak-bucket must be shared or memory\n');
  process.exit(2);
}
const SUB_BURST = Math.round(num('sub-burst', args['sub-burst'], 0));
const SUB_CREATES = Math.round(num('sub-creates', args['sub-creates'], 0));
const SUB_CONCURRENCY = Math.round(num('sub-concurrency', args['sub-concurrency'], 1));
const SUB_DEADLINE = num('sub-deadline', args['sub-deadline'], 1);
type Phase = (typeof PHASES)[number];
const only = args.only ? new Set(args.only.split(',').map((s) => s.trim())) : undefined;
for (const p of only ?? []) {
  if (!PHASES.includes(p as Phase)) {
    process.stderr.write(`--only: unknown phase ${p} (one of ${PHASES.join(', ')})\n`);
    process.exit(2);
  }
}
const runs = (p: Phase) =>
  only ? only.has(p) : p === 'soak' ? SOAK_SECONDS > 0 : p === 'sub-burst' ? SUB_BURST > 0 : p === 'sub-rate' ? SUB_CREATES > 0 : true;

const GOAL_RATIO = 0.5;
const GOAL_SHARED_BUCKET = 0.9; // the shared bucket may cost at most 10 % of throughput
const GOAL_SUB_ERRORS = 0;
const GOAL_SUB_PER_SECOND = 300;
const GOAL_SOAK_P99_MS = 100;

// ---------------------------------------------------------------------------------------------
// Resources, released by bench.cleanup() on success, failure or a signal.

let loadGen: RpcWorker<WorkerRequest> | undefined;
let database: Database | undefined;
let barePool: pg.Pool | undefined;
const apps = new Set<FastifyInstance>();

const bench = startBench('bench:api', async () => {
  await loadGen?.terminate();
  for (const app of [...apps]) await closeApp(app);
  await barePool?.end().catch(() => {});
  await database?.pool.end().catch(() => {});
});

async function closeApp(app: FastifyInstance): Promise<void> {
  apps.delete(app);
  await app.close().catch((e: unknown) => say(`closing an app failed: ${String(e)}`));
}

// ---------------------------------------------------------------------------------------------
// Load generator (worker thread, load-worker.ts)

const closedLoop = (opts: ClosedLoopOptions) => loadGen!.ask<ClosedLoopResult>({ kind: 'closed', opts });
const soakRun = (opts: SoakOptions) => loadGen!.ask<SoakResult>({ kind: 'soak', opts });
const batchRun = (opts: BatchOptions) => loadGen!.ask<BatchResult>({ kind: 'batch', opts });

// ---------------------------------------------------------------------------------------------
// Servers

type OurConfig = AppConfig & RateLimitConfig;
// The rate limit is on, as in production, with limits no closed loop reaches: what is measured is
// the cost of the check, never a 429. The shared bucket is the default; "memory" is per process.
const APP_CONFIG: OurConfig = {
  BODY_LIMIT_BYTES: 1_048_576,
  RATE_LIMIT_PER_SECOND: 1_000_000,
  RATE_LIMIT_BURST: 1_000_000,
  RATE_LIMIT_SHARED: true,
  IDEMPOTENCY_TTL_HOURS: 24,
  WEBHOOK_ALLOW_PRIVATE_URLS: false,
};
const MEMORY_CONFIG: OurConfig = { ...APP_CONFIG, RATE_LIMIT_SHARED: false };
// The production defaults.
const SOAK_CONFIG: OurConfig = { ...APP_CONFIG, RATE_LIMIT_PER_SECOND: 250, RATE_LIMIT_BURST: 500, RATE_LIMIT_SHARED: SOAK_BUCKET === 'shared' };

async function listen(app: FastifyInstance): Promise<string> {
  apps.add(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

async function startOurs(config: OurConfig, logs?: ServerErrors): Promise<string> {
  const services = createServices({ db: database!.db, clock: systemClock, jobs: noJobs, allowPrivateUrls: false });
  const logger = logs ? createLogger('error', logs.sink) : createLogger('warn');
  const app = await buildApp({ config, database: database!, services, logger });
  return listen(app);
}

/**
 * The app's error log lines, counted by message instead of printed: a 500 tells the client nothing,
 * and a line per failed request would drown the report.
 */
type ServerErrors = { sink: Writable; take(): Record<string, number> };
function serverErrors(): ServerErrors {
  let counts = new Map<string, number>();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        let message = line.slice(0, 200);
        try {
          const l = JSON.parse(line) as { msg?: string; err?: { message?: string; stack?: string } };
          // A failed query's message is its SQL (the cause is only in the stack, as "caused by:").
          const causes = [...(l.err?.stack ?? '').matchAll(/^caused by: (.*)$/gm)].map((m) => m[1]);
          const what = l.err?.message?.startsWith('Failed query:')
            ? `failed query on ${/\b(?:from|into|update)\s+"(\w+)"/i.exec(l.err.message)?.[1] ?? '?'}`
            : (l.err?.message ?? l.msg);
          message = [what, causes.at(-1)].filter(Boolean).join(': ').replace(/\s+/g, ' ').slice(0, 200);
        } catch {
          // not JSON: the line itself
        }
        counts.set(message, (counts.get(message) ?? 0) + 1);
      }
      done();
    },
  });
  return {
    sink,
    take() {
      const top = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, 5));
      counts = new Map();
      return top;
    },
  };
}

const CUSTOMER_COLUMNS = [
  'merchant_id',
  'id',
  'type',
  'name',
  'email',
  'phone',
  'national_id',
  'national_id_kind',
  'vat_number',
  'address_line1',
  'address_line2',
  'postal_code',
  'city',
  'country',
  'locale',
  'external_id',
  'metadata',
  'created_at',
  'updated_at',
  'archived_at',
];
// The same writes as ours, as one hand-written statement: the customer row and its
// customer.created event (the transactional outbox every change writes since webhooks exist).
const BARE_INSERT = `with c as (
    insert into customers (${CUSTOMER_COLUMNS.join(', ')})
    values (${CUSTOMER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) returning *
  ), ev as (
    insert into events (merchant_id, id, type, api_version, livemode, object_id, data, created_at)
    select c.merchant_id, $21, 'customer.created', '2026-11-25', false, c.id, jsonb_build_object('object', to_jsonb(c)), c.created_at from c
  )
  select * from c`;
const BARE_SELECT = 'select * from customers where merchant_id = $1 and id = $2';
// What an Idempotency-Key needs at least: one transaction holding the key's lock, the lookup of an
// earlier response, the same insert, and the response stored before commit.
const BARE_KEY_LOCK = 'select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as locked';
const BARE_KEY_FIND = 'select status_code, body from idempotency_keys where merchant_id = $1 and key = $2 and expires_at > $3';
const BARE_KEY_SAVE = `insert into idempotency_keys (merchant_id, key, fingerprint, status_code, body, created_at, expires_at)
  values ($1, $2, $3, $4, $5, $6, $7)`;

/** The floor: the same row written and read with one query each, no auth, validation or mapping. */
async function startBare(merchantId: string): Promise<string> {
  barePool = new pg.Pool({ connectionString: bench.url, max: POOL_MAX });
  barePool.on('error', (err) => {
    if (!bench.cleaning) say(`idle bare client failed: ${err.message}`);
  });
  const pool = barePool;
  const app = Fastify({ logger: false });
  // The customer row and event ids, as ours would write them (BARE_INSERT's parameters).
  const customerValues = (b: { name?: string; email?: string }, now: Date) => [
    merchantId,
    newId('customer'),
    'person',
    b.name ?? 'Anonymous',
    b.email ?? null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    'sv',
    null,
    '{}',
    now,
    now,
    null,
    newId('event'),
  ];
  app.post('/bare/customers', async (req, reply) => {
    const { rows } = await pool.query(BARE_INSERT, customerValues((req.body ?? {}) as { name?: string }, new Date()));
    return reply.code(201).send(rows[0]);
  });
  app.post('/bare/customers/keyed', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string') return reply.code(400).send({ error: 'Idempotency-Key missing' });
    const now = new Date();
    const client = await pool.connect();
    try {
      await client.query('begin');
      const locked = await client.query(BARE_KEY_LOCK, [`${merchantId} ${key}`]);
      if (!locked.rows[0]?.locked) throw new Error('key in use');
      const prior = await client.query(BARE_KEY_FIND, [merchantId, key, now]);
      if (prior.rows[0]) {
        await client.query('commit');
        return reply.code(prior.rows[0].status_code).type('application/json').send(prior.rows[0].body);
      }
      const { rows } = await client.query(BARE_INSERT, customerValues((req.body ?? {}) as { name?: string }, now));
      const body = JSON.stringify(rows[0]);
      await client.query(BARE_KEY_SAVE, [merchantId, key, 'bare', 201, body, now, new Date(now.getTime() + 86_400_000)]);
      await client.query('commit');
      return reply.code(201).type('application/json').send(body);
    } catch (e) {
      await client.query('rollback').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  });
  app.get('/bare/customers/:id', async (req, reply) => {
    const { rows } = await pool.query(BARE_SELECT, [merchantId, (req.params as { id: string }).id]);
    if (!rows[0]) return reply.code(404).send({ error: 'not found' });
    return rows[0];
  });
  return listen(app);
}

// ---------------------------------------------------------------------------------------------
// Measuring

// CPU per request, a steadier figure than req/s on a shared machine: the servers' thread (ours and
// bare run on the main thread; the load generator has its own) and the PostgreSQL backends of the
// benchmark database (from /proc, so only where PostgreSQL runs on this machine).
type Cpu = { appUs: number; dbUs: Map<number, number> | undefined };
const TICK_US = 1_000_000 / 100; // USER_HZ is 100 on Linux

function procCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_US; // utime + stime
  } catch {
    return undefined;
  }
}

async function cpuNow(): Promise<Cpu> {
  const t = process.threadCpuUsage();
  const dbUs = new Map<number, number>();
  const pids = await database!.pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
  for (const { pid } of pids.rows) {
    const us = procCpuUs(pid); // undefined: gone meanwhile, or PostgreSQL runs elsewhere
    if (us !== undefined) dbUs.set(pid, us);
  }
  return { appUs: t.user + t.system, dbUs: dbUs.size > 0 ? dbUs : undefined };
}

/** Microseconds of CPU per request between two readings: the app's thread, the database backends. */
function cpuPerRequest(a: Cpu, b: Cpu, requests: number): { app: number; db: number | undefined } {
  let db: number | undefined;
  if (a.dbUs && b.dbUs) {
    db = 0;
    for (const [pid, us] of b.dbUs) db += us - (a.dbUs.get(pid) ?? 0);
  }
  const n = Math.max(1, requests);
  return { app: (b.appUs - a.appUs) / n, db: db === undefined ? undefined : db / n };
}

type Round = ClosedLoopResult & { takes: number; cpuApp: number; cpuDb: number | undefined };
type Measured = ClosedLoopResult & { label: string; rounds: Round[]; takes: number; cpuApp: number; cpuDb: number | undefined };

// Statements that took rate-limit tokens from the shared bucket (counted on the pool the apps share).
let takes = 0;

async function measure(label: string, opts: Omit<ClosedLoopOptions, 'duration' | 'connections'>, warm: boolean): Promise<Round> {
  const full = { ...opts, connections: CONNECTIONS };
  if (warm && WARMUP > 0) {
    say(`${label}: warming up ${WARMUP} s`);
    await closedLoop({ ...full, duration: WARMUP });
  }
  say(`${label}: measuring ${DURATION} s with ${CONNECTIONS} connections`);
  const before = takes;
  const cpuBefore = await cpuNow();
  const r = await closedLoop({ ...full, duration: DURATION });
  const cpu = cpuPerRequest(cpuBefore, await cpuNow(), r.total);
  const taken = takes - before;
  say(
    `${label}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}, ` +
      `CPU µs/req app ${cpu.app.toFixed(0)} + db ${fmt(cpu.db)}${taken ? `, rate-limit takes ${taken}` : ''}`,
  );
  return { ...r, takes: taken, cpuApp: cpu.app, cpuDb: cpu.db };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Several rounds: median req/s and latency percentiles; counts summed. */
function combine(label: string, rounds: Round[]): Measured {
  const statusCodes: Record<string, number> = {};
  for (const r of rounds) for (const [c, n] of Object.entries(r.statusCodes)) statusCodes[c] = (statusCodes[c] ?? 0) + n;
  const med = (f: (r: Round) => number) => median(rounds.map(f));
  const sum = (f: (r: Round) => number) => rounds.reduce((a, r) => a + f(r), 0);
  return {
    label,
    rounds,
    takes: sum((r) => r.takes),
    cpuApp: med((r) => r.cpuApp),
    cpuDb: rounds.every((r) => r.cpuDb !== undefined) ? med((r) => r.cpuDb!) : undefined,
    rps: med((r) => r.rps),
    total: sum((r) => r.total),
    latencyAvg: med((r) => r.latencyAvg),
    p50: med((r) => r.p50),
    p90: med((r) => r.p90),
    p99: med((r) => r.p99),
    max: Math.max(...rounds.map((r) => r.max)),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
  };
}

/** A merchant's complete Swedish seller settings: what finalising an invoice needs. */
const SELLER_SETTINGS = {
  legal_name: 'Bench Prenumerationer AB',
  address: { line1: 'Storgatan 12', postal_code: '83130', city: 'Östersund' },
  organisation_number: '556677-8899',
  vat_number: 'SE556677889901',
  f_skatt: true,
  bankgiro: '5050-1055',
  time_zone: 'Europe/Stockholm',
  payment_terms_days: 30,
  invoice_number_prefix: 'F-',
};

type SubRun = BatchResult & { label: string; keyed: boolean; subscriptions: number; invoices: number; errors: number; serverErrors: Record<string, number> };

async function main() {
  const pgVersion = await bench.serverVersion();
  await bench.create();
  // Dropping the database WITH (FORCE) can still hit clients that pool.end() is closing: quiet then.
  database = createDatabase(bench.url, {
    max: POOL_MAX,
    onError: (err) => {
      if (!bench.cleaning) say(`idle database client failed: ${err.message}`);
    },
  });

  // Count the shared bucket's statements: how many requests one take serves is the point of it.
  const query = database.pool.query.bind(database.pool) as (...a: unknown[]) => unknown;
  database.pool.query = ((...a: unknown[]) => {
    if ((a[0] as { name?: string } | undefined)?.name === 'rate_limit_take') takes++;
    return query(...a);
  }) as typeof database.pool.query;

  const merchantService = createServices({ db: database.db, clock: systemClock, jobs: noJobs, allowPrivateUrls: false }).merchants;
  const { merchant, secret } = await merchantService.createMerchant({ name: 'Bench AB', livemode: false });
  const auth = { authorization: `Bearer ${secret}` };
  const json = { 'content-type': 'application/json' };
  const body = JSON.stringify({ name: 'Anna Andersson', email: 'anna@example.se' });

  loadGen = rpcWorker<WorkerRequest>('load generator', new URL('./load-worker.ts', import.meta.url));

  // --- Throughput -----------------------------------------------------------------------------
  type Key = 'oursPost' | 'oursPostMemory' | 'barePost' | 'oursPostKey' | 'barePostKey' | 'oursGet' | 'oursGetMemory' | 'bareGet';
  const results: Partial<Record<Key, Measured>> = {};
  const throughput = (['ours-post', 'ours-post-memory', 'bare-post', 'ours-post-key', 'bare-post-key', 'ours-get', 'ours-get-memory', 'bare-get'] as const).some(runs);
  if (throughput) {
    const ours = await startOurs(APP_CONFIG);
    const oursMemory = await startOurs(MEMORY_CONFIG);
    const bare = await startBare(merchant.id);
    say(`our app on ${ours} (shared bucket), ${oursMemory} (bucket in memory), bare app on ${bare}, ${os.availableParallelism()} CPUs, PostgreSQL ${pgVersion}`);

    // One customer to read, created through our API (every GET bench reads the same row).
    const created = await fetch(`${ours}/v1/customers`, { method: 'POST', headers: { ...auth, ...json }, body });
    if (created.status !== 201) throw new Error(`creating the customer to read failed: ${created.status} ${await created.text()}`);
    const customerId = ((await created.json()) as { id: string }).id;
    const bareCheck = await fetch(`${bare}/bare/customers/${customerId}`);
    if (bareCheck.status !== 200) throw new Error(`bare GET failed: ${bareCheck.status}`);

    // A fresh Idempotency-Key per request: autocannon replaces [<id>] in each request it sends.
    const keyed = { ...json, 'idempotency-key': 'bench-[<id>]' };
    // Ours and bare alternate, so a slow patch on a shared machine hits both sides alike; with
    // --rounds N the sequence repeats, every other round in reverse order (so neither side of a
    // comparison always runs first), and the medians are reported.
    const post = { method: 'POST', body, idReplacement: true } as const;
    const benches = [
      { key: 'oursPost', phase: 'ours-post', label: 'ours POST /v1/customers', opts: { ...post, url: `${ours}/v1/customers`, headers: { ...auth, ...json } } },
      { key: 'oursPostMemory', phase: 'ours-post-memory', label: 'ours POST /v1/customers, bucket in memory', opts: { ...post, url: `${oursMemory}/v1/customers`, headers: { ...auth, ...json } } },
      { key: 'barePost', phase: 'bare-post', label: 'bare POST /bare/customers', opts: { ...post, url: `${bare}/bare/customers`, headers: json } },
      { key: 'oursPostKey', phase: 'ours-post-key', label: 'ours POST /v1/customers with Idempotency-Key', opts: { ...post, url: `${ours}/v1/customers`, headers: { ...auth, ...keyed } } },
      { key: 'barePostKey', phase: 'bare-post-key', label: 'bare POST with Idempotency-Key (one transaction)', opts: { ...post, url: `${bare}/bare/customers/keyed`, headers: keyed } },
      { key: 'oursGet', phase: 'ours-get', label: 'ours GET /v1/customers/{id}', opts: { url: `${ours}/v1/customers/${customerId}`, method: 'GET', headers: auth } },
      { key: 'oursGetMemory', phase: 'ours-get-memory', label: 'ours GET /v1/customers/{id}, bucket in memory', opts: { url: `${oursMemory}/v1/customers/${customerId}`, method: 'GET', headers: auth } },
      { key: 'bareGet', phase: 'bare-get', label: 'bare GET /bare/customers/{id}', opts: { url: `${bare}/bare/customers/${customerId}`, method: 'GET', headers: {} } },
    ] as const;
    const perRound = new Map<string, Round[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const b of round % 2 ? [...benches].reverse() : benches) {
        if (!runs(b.phase)) continue;
        const label = ROUNDS > 1 ? `${b.label} (round ${round + 1}/${ROUNDS})` : b.label;
        const r = await measure(label, b.opts, round === 0);
        perRound.set(b.key, [...(perRound.get(b.key) ?? []), r]);
      }
    }
    for (const b of benches) {
      const rs = perRound.get(b.key);
      if (rs) results[b.key] = combine(b.label, rs);
    }

    for (const app of [...apps]) await closeApp(app);
    await barePool?.end();
    barePool = undefined;
  }

  // --- Subscriptions ----------------------------------------------------------------------------
  const subs: { burst?: SubRun; keyed?: SubRun; unkeyed?: SubRun } = {};
  if (runs('sub-burst') || runs('sub-rate')) {
    const logs = serverErrors();
    const origin = await startOurs(APP_CONFIG, logs);
    // Its own merchant, set up as a merchant would: seller settings, a monthly price, customers.
    const seller = await merchantService.createMerchant({ name: 'Bench Prenumerationer AB', livemode: false });
    const sAuth = { authorization: `Bearer ${seller.secret}` };
    const api = async (method: 'POST' | 'PATCH', path: string, payload: unknown, status: number) => {
      const res = await fetch(`${origin}${path}`, { method, headers: { ...sAuth, ...json }, body: JSON.stringify(payload) });
      const text = await res.text();
      if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as { id: string };
    };
    await api('PATCH', '/v1/merchant', SELLER_SETTINGS, 200);
    const product = await api('POST', '/v1/products', { name: 'Omtanke Pro' }, 201);
    const price = await api('POST', '/v1/prices', { product: product.id, unit_amount: 19_900, tax_behavior: 'inclusive', vat_rate: 25, type: 'recurring', recurring: { interval: 'month', interval_count: 1 } }, 201);
    const customersNeeded = (runs('sub-burst') ? 1 : 0) + (runs('sub-rate') ? 2 * SUB_CREATES : 0);
    say(`subscriptions: creating ${customersNeeded} customers of ${seller.merchant.id}`);
    const made = await batchRun({
      origin,
      concurrency: 20,
      timeoutMs: 30_000,
      requests: Array.from({ length: customersNeeded }, (_, i) => ({
        method: 'POST',
        path: '/v1/customers',
        headers: { ...sAuth, ...json },
        body: JSON.stringify({ name: `Prenumerant ${i}`, email: `p${i}@example.se`, address: { line1: 'Kungsgatan 3', postal_code: '11143', city: 'Stockholm' } }),
      })),
    });
    if (made.ok !== customersNeeded) throw new Error(`creating customers failed: ${made.ok} of ${customersNeeded}; ${made.failureSamples.join(' | ')}`);
    const customers = made.ids as string[];
    const create = (customer: string, key: string | undefined): BatchRequest => ({
      method: 'POST',
      path: '/v1/subscriptions',
      headers: { ...sAuth, ...json, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ customer, items: [{ price: price.id, quantity: 1 }] }),
    });
    // Every 201 must have left its subscription and its first invoice.
    const check = async (label: string, keyed: boolean, r: BatchResult): Promise<SubRun> => {
      const ids = r.ids.filter((x): x is string => x !== undefined);
      const q = await database!.pool.query<{ subscriptions: number; invoices: number }>(
        `select (select count(*)::int from subscriptions where merchant_id = $1 and id = any($2)) as subscriptions,
                (select count(*)::int from invoices where merchant_id = $1 and subscription_id = any($2) and number is not null) as invoices`,
        [seller.merchant.id, ids],
      );
      const { subscriptions, invoices } = q.rows[0]!;
      const l = r.latency;
      say(
        `${label}: ${r.ok}/${r.requests} created${r.requests < r.planned ? ` (of ${r.planned} planned: stopped at the ${SUB_DEADLINE} s deadline)` : ''} in ${(r.wallMs / 1000).toFixed(2)} s = ${r.okPerSecond.toFixed(1)}/s; non-2xx ${r.non2xx}, failed ${r.failures} (timeouts ${r.timeouts}); ` +
          `p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms; in the database: ${subscriptions} subscriptions, ${invoices} numbered invoices`,
      );
      for (const s of r.failureSamples) say(`${label} error sample: ${s}`);
      const logged = logs.take();
      for (const [m, n] of Object.entries(logged)) say(`${label}: the server logged ${n} × ${m}`);
      return { ...r, label, keyed, subscriptions, invoices, errors: r.non2xx + r.failures, serverErrors: logged };
    };

    let next = 0;
    if (runs('sub-burst')) {
      // (a) One customer, SUB_BURST concurrent creates, each with its own key: all sent at once.
      const customer = customers[next++]!;
      say(`subscriptions (a): ${SUB_BURST} concurrent POST /v1/subscriptions, each with its own Idempotency-Key`);
      const r = await batchRun({
        origin,
        concurrency: SUB_BURST,
        timeoutMs: 60_000,
        requests: Array.from({ length: SUB_BURST }, (_, i) => create(customer, `burst-${i}-${newId('request')}`)),
      });
      subs.burst = await check('subscriptions (a) burst', true, r);
    }
    if (runs('sub-rate')) {
      // (c) SUB_CREATES creates, a customer each, SUB_CONCURRENCY in flight; without keys, then with.
      for (const keyed of [false, true]) {
        const list = customers.slice(next, next + SUB_CREATES);
        next += SUB_CREATES;
        const label = `subscriptions (c) ${keyed ? 'with' : 'without'} Idempotency-Key`;
        say(`${label}: ${SUB_CREATES} creates at a concurrency of ${SUB_CONCURRENCY}`);
        const r = await batchRun({
          origin,
          concurrency: SUB_CONCURRENCY,
          timeoutMs: 60_000,
          // A run that fails its requests slowly (timeouts) stops sending after the deadline.
          deadlineMs: SUB_DEADLINE * 1000,
          requests: list.map((c, i) => create(c, keyed ? `rate-${i}-${newId('request')}` : undefined)),
        });
        subs[keyed ? 'keyed' : 'unkeyed'] = await check(label, keyed, r);
      }
    }
    for (const app of [...apps]) await closeApp(app);
  }

  // --- Soak -----------------------------------------------------------------------------------
  let soak: SoakResult | undefined;
  if (runs('soak')) {
    const origin = await startOurs(SOAK_CONFIG);
    const seedUrl = `${origin}/v1/customers`;
    // Something to read from the first moment: 200 customers (fewer if the throughput part made some).
    const have = await database.pool.query<{ id: string }>('select id from customers where merchant_id = $1 order by id desc limit 1000', [merchant.id]);
    const readIds = have.rows.map((r) => r.id);
    for (let i = readIds.length; i < 200; i++) {
      const res = await fetch(seedUrl, { method: 'POST', headers: { ...auth, ...json }, body: JSON.stringify({ name: `Seed Kund ${i}`, email: `seed${i}@example.se` }) });
      if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
      readIds.push(((await res.json()) as { id: string }).id);
    }
    const soakOpts = {
      origin,
      apiKey: secret,
      readRate: SOAK_READ_RATE,
      writeRate: SOAK_WRITE_RATE,
      readIds,
      connections: 100,
      timeoutMs: 10_000,
    };
    // A fresh app instance: warm it (and the pool's connections) at the soak's own rate first.
    if (SOAK_WARMUP > 0) {
      say(`soak: warming up ${SOAK_WARMUP} s at the same rate`);
      const w = await soakRun({ ...soakOpts, seconds: SOAK_WARMUP });
      say(`soak warm-up: p99 ${fmt(w.latency.all.p99, 1)} ms, max ${fmt(w.latency.all.max, 1)} ms, errors ${w.non2xx + w.failures}`);
    }
    // Let the rate limiter's bucket refill, so the soak starts from a full burst.
    await new Promise((r) => setTimeout(r, 2100));
    say(`soak: ${SOAK_READ_RATE} reads/s + ${SOAK_WRITE_RATE} writes/s for ${SOAK_SECONDS} s, open loop, one API key, rate limit ${SOAK_CONFIG.RATE_LIMIT_PER_SECOND}/s burst ${SOAK_CONFIG.RATE_LIMIT_BURST} (${SOAK_BUCKET === 'shared' ? 'shared bucket' : 'bucket in memory'})`);
    soak = await soakRun({ ...soakOpts, seconds: SOAK_SECONDS });
    const l = soak.latency.all;
    say(`soak: ${soak.completed}/${soak.scheduled} done, non-2xx ${soak.non2xx}, failures ${soak.failures}, p50 ${fmt(l.p50, 1)} ms, p99 ${fmt(l.p99, 1)} ms, max ${fmt(l.max, 1)} ms`);
    for (const s of soak.failureSamples) say(`soak error sample: ${s}`);
    const slow = soak.timeline.filter((t) => t.p99 >= GOAL_SOAK_P99_MS || t.errors > 0);
    if (slow.length > 0) {
      say(`soak: ${slow.length} of ${soak.timeline.length} seconds had p99 ≥ ${GOAL_SOAK_P99_MS} ms or errors:`);
      for (const t of slow.slice(0, 20)) say(`  second ${t.second}: ${t.count} requests, p99 ${fmt(t.p99, 1)} ms, max ${fmt(t.max, 1)} ms, errors ${t.errors}`);
    }
  }

  await bench.cleanup();

  // --- Report ---------------------------------------------------------------------------------
  // Phases of one round run back to back, so their ratio is the least disturbed by whatever else the
  // machine does: with several rounds, the median of the per-round ratios.
  const ratio = (a?: Measured, b?: Measured) => {
    if (!a || !b) return undefined;
    if (a.rounds.length !== b.rounds.length || a.rounds.length === 0) return b.rps > 0 ? a.rps / b.rps : undefined;
    return median(a.rounds.map((r, i) => r.rps / Math.max(1e-9, b.rounds[i]!.rps)));
  };
  const atLeast = (v: number | undefined, goal: number) => (v === undefined ? undefined : v >= goal);
  const postRatio = ratio(results.oursPost, results.barePost);
  const getRatio = ratio(results.oursGet, results.bareGet);
  const sharedPost = ratio(results.oursPost, results.oursPostMemory);
  const sharedGet = ratio(results.oursGet, results.oursGetMemory);
  // The same comparison in CPU per request (app + database), inverted so that 0.9 means "10 % more".
  const cpuOf = (r: Round | Measured) => r.cpuApp + (r.cpuDb ?? 0);
  const cpuRatio = (a?: Measured, b?: Measured) =>
    a && b && a.rounds.length === b.rounds.length && a.rounds.length > 0 ? median(a.rounds.map((r, i) => cpuOf(b.rounds[i]!) / Math.max(1e-9, cpuOf(r)))) : undefined;
  const sharedPostCpu = cpuRatio(results.oursPost, results.oursPostMemory);
  const sharedGetCpu = cpuRatio(results.oursGet, results.oursGetMemory);
  const keyRatio = ratio(results.oursPostKey, results.oursPost);
  const bareKeyRatio = ratio(results.barePostKey, results.barePost);
  const keyedFloorRatio = ratio(results.oursPostKey, results.barePostKey);
  const soakErrors = soak ? soak.non2xx + soak.failures + (soak.scheduled - soak.completed - soak.failures) : undefined;
  const goals = {
    postRatio: atLeast(postRatio, GOAL_RATIO),
    getRatio: atLeast(getRatio, GOAL_RATIO),
    sharedBucketPost: atLeast(sharedPost, GOAL_SHARED_BUCKET),
    sharedBucketGet: atLeast(sharedGet, GOAL_SHARED_BUCKET),
    subBurstErrors: subs.burst ? subs.burst.errors === GOAL_SUB_ERRORS : undefined,
    subCreatesPerSecond: subs.unkeyed ? subs.unkeyed.okPerSecond >= GOAL_SUB_PER_SECOND && subs.unkeyed.errors === 0 : undefined,
    subCreatesPerSecondKeyed: subs.keyed ? subs.keyed.okPerSecond >= GOAL_SUB_PER_SECOND && subs.keyed.errors === 0 : undefined,
    soakErrors: soakErrors === undefined ? undefined : soakErrors === 0,
    soakP99: soak ? soak.latency.all.p99 < GOAL_SOAK_P99_MS : undefined,
  };
  const known = Object.values(goals).filter((g) => g !== undefined);
  const allMet = known.length > 0 && known.every(Boolean);

  const env = {
    ...benchEnv(pgVersion),
    connections: CONNECTIONS,
    duration_s: DURATION,
    warmup_s: WARMUP,
    rounds: ROUNDS,
    pool_max: POOL_MAX,
  };

  const out: string[] = [];
  out.push('');
  out.push(heading('API benchmark', env));
  out.push('');
  if (throughput) {
    out.push(
      `Throughput: autocannon, ${CONNECTIONS} connections, ${DURATION} s per run after ${WARMUP} s warm-up${ROUNDS > 1 ? `, median of ${ROUNDS} alternating rounds (ratios: median of the per-round ratios)` : ''}; pool max ${POOL_MAX}; load generator, app and PostgreSQL on one machine. ` +
        'Ours runs with the rate limit on (limits too high to refuse): the bucket shared through PostgreSQL unless the row says "in memory".',
    );
    out.push('');
    out.push('| Endpoint | req/s (avg) | p50 ms | p99 ms | non-2xx | errors | CPU µs/req app + db | requests per bucket statement |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of [results.oursPost, results.oursPostMemory, results.barePost, results.oursPostKey, results.barePostKey, results.oursGet, results.oursGetMemory, results.bareGet]) {
      if (!r) continue;
      // Only the shared bucket's own phases (a phase's first requests can meet the last takes of the one before).
      const perTake = r === results.oursPost || r === results.oursPostKey || r === results.oursGet ? fmt(r.total / Math.max(1, r.takes), 1) : '';
      out.push(`| ${r.label} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.non2xx} | ${r.errors + r.timeouts} | ${fmt(r.cpuApp)} + ${fmt(r.cpuDb)} | ${perTake} |`);
    }
    out.push('');
    out.push(`| Ratio | value | goal | met |`);
    out.push('|---|---:|---:|:---:|');
    out.push(`| POST /customers ours / bare | ${fmt(postRatio, 2)} | ≥ ${GOAL_RATIO} | ${yes(goals.postRatio)} |`);
    out.push(`| GET /customers/{id} ours / bare | ${fmt(getRatio, 2)} | ≥ ${GOAL_RATIO} | ${yes(goals.getRatio)} |`);
    out.push(`| POST shared bucket / bucket in memory | ${fmt(sharedPost, 2)} | ≥ ${GOAL_SHARED_BUCKET} | ${yes(goals.sharedBucketPost)} |`);
    out.push(`| GET shared bucket / bucket in memory | ${fmt(sharedGet, 2)} | ≥ ${GOAL_SHARED_BUCKET} | ${yes(goals.sharedBucketGet)} |`);
    out.push(`| POST shared / in memory, by CPU per request (memory's ÷ shared's) | ${fmt(sharedPostCpu, 2)} | | |`);
    out.push(`| GET shared / in memory, by CPU per request (memory's ÷ shared's) | ${fmt(sharedGetCpu, 2)} | | |`);
    out.push(`| POST with Idempotency-Key / without (ours) | ${fmt(keyRatio, 2)} | | |`);
    out.push(`| POST with Idempotency-Key / without (bare) | ${fmt(bareKeyRatio, 2)} | | |`);
    out.push(`| POST with Idempotency-Key ours / bare | ${fmt(keyedFloorRatio, 2)} | | |`);
    out.push('');
  }
  if (subs.burst || subs.keyed || subs.unkeyed) {
    out.push(
      `Subscriptions (one merchant, a monthly price; each create makes, finalises and numbers its first invoice; pool max ${POOL_MAX}): ` +
        `(a) ${SUB_BURST} concurrent creates for one customer, each with its own Idempotency-Key, all sent at once; ` +
        `(c) ${SUB_CREATES} creates, a customer each, ${SUB_CONCURRENCY} in flight (nothing new sent after ${SUB_DEADLINE} s). "in db" counts the subscriptions and numbered invoices that the 201s left.`,
    );
    out.push('');
    out.push('| Run | created / sent | per s | p50 ms | p99 ms | max ms | non-2xx | failed (timeouts) | in db: subs / invoices | goal | met |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|:---:|');
    const row = (r: SubRun | undefined, goal: string, met: boolean | undefined) => {
      if (!r) return;
      const l = r.latency;
      out.push(
        `| ${r.label} | ${r.ok} / ${r.requests}${r.requests < r.planned ? ` (of ${r.planned}, deadline)` : ''} | ${fmt(r.okPerSecond, 1)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${r.non2xx} | ${r.failures} (${r.timeouts}) | ${r.subscriptions} / ${r.invoices} | ${goal} | ${yes(met)} |`,
      );
    };
    row(subs.burst, '0 errors', goals.subBurstErrors);
    row(subs.unkeyed, `≥ ${GOAL_SUB_PER_SECOND}/s, 0 errors`, goals.subCreatesPerSecond);
    row(subs.keyed, `≥ ${GOAL_SUB_PER_SECOND}/s, 0 errors`, goals.subCreatesPerSecondKeyed);
    for (const r of [subs.burst, subs.unkeyed, subs.keyed]) {
      if (!r || r.errors === 0) continue;
      const logged = Object.entries(r.serverErrors).map(([m, n]) => `${n} × "${m}"`).join('; ');
      out.push(`\n${r.label}: status codes ${JSON.stringify(r.statusCodes)}; the server logged ${logged || 'nothing'}; first answer: ${(r.failureSamples[0] ?? '').replace(/\|/g, '/')}`);
    }
    out.push('');
  }
  if (soak) {
    const l = soak.latency;
    out.push(
      `Soak: open loop, ${SOAK_READ_RATE} GET/s + ${SOAK_WRITE_RATE} POST/s for ${SOAK_SECONDS} s (after ${SOAK_WARMUP} s warm-up) with one API key, rate limiting on (${SOAK_CONFIG.RATE_LIMIT_PER_SECOND}/s, burst ${SOAK_CONFIG.RATE_LIMIT_BURST}, ${SOAK_BUCKET === 'shared' ? 'shared bucket' : 'bucket in memory'}); latency from the scheduled send time.`,
    );
    out.push('');
    out.push('| Soak | value | goal | met |');
    out.push('|---|---:|---:|:---:|');
    out.push(`| requests (scheduled / completed) | ${soak.scheduled} / ${soak.completed} | | |`);
    out.push(`| achieved rate | ${fmt(soak.achievedRps)} req/s | ${SOAK_READ_RATE + SOAK_WRITE_RATE} req/s | |`);
    out.push(`| errors (non-2xx + failed) | ${soakErrors} (${soak.non2xx} non-2xx, ${soak.rateLimited} of them 429; ${soak.failures} failed) | 0 | ${yes(goals.soakErrors)} |`);
    out.push(`| p50 latency | ${fmt(l.all.p50, 1)} ms | | |`);
    out.push(`| p99 latency | ${fmt(l.all.p99, 1)} ms | < ${GOAL_SOAK_P99_MS} ms | ${yes(goals.soakP99)} |`);
    out.push(`| p99 GET / POST | ${fmt(l.reads.p99, 1)} / ${fmt(l.writes.p99, 1)} ms | | |`);
    out.push(`| p99.9 / max latency | ${fmt(l.all.p999, 1)} / ${fmt(l.all.max, 1)} ms | | |`);
    out.push('');
  }
  out.push(allMet ? '**All goals met.**' : `**Goals NOT met:** ${Object.entries(goals).filter(([, v]) => v === false).map(([k]) => k).join(', ') || 'none measured'}.`);
  out.push('');

  const subFigures = (r: SubRun | undefined) =>
    r
      ? {
          sent: r.requests,
          planned: r.planned,
          created: r.ok,
          per_second: r.okPerSecond,
          wall_ms: r.wallMs,
          non2xx: r.non2xx,
          failures: r.failures,
          timeouts: r.timeouts,
          errors: r.errors,
          status_codes: r.statusCodes,
          latency_ms: r.latency,
          subscriptions_in_db: r.subscriptions,
          invoices_in_db: r.invoices,
          error_samples: r.failureSamples,
          server_errors: r.serverErrors,
        }
      : null;
  const figures = {
    env,
    throughput: Object.fromEntries(
      Object.entries(results).map(([k, r]) => [
        k,
        { rps: r.rps, rps_rounds: r.rounds.map((x) => Math.round(x.rps)), total: r.total, rate_limit_takes: r.takes, cpu_us_per_request: { app: r.cpuApp, db: r.cpuDb ?? null }, latency_avg_ms: r.latencyAvg, p50_ms: r.p50, p90_ms: r.p90, p99_ms: r.p99, max_ms: r.max, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, status_codes: r.statusCodes },
      ]),
    ),
    ratio: {
      post: postRatio ?? null,
      get: getRatio ?? null,
      goal: GOAL_RATIO,
      shared_bucket_post: sharedPost ?? null,
      shared_bucket_get: sharedGet ?? null,
      shared_bucket_goal: GOAL_SHARED_BUCKET,
      shared_bucket_post_by_cpu: sharedPostCpu ?? null,
      shared_bucket_get_by_cpu: sharedGetCpu ?? null,
      post_key_over_no_key: keyRatio ?? null,
      bare_post_key_over_no_key: bareKeyRatio ?? null,
      post_key_ours_over_bare: keyedFloorRatio ?? null,
    },
    subscriptions: {
      pool_max: POOL_MAX,
      burst: subFigures(subs.burst),
      creates_keyed: subFigures(subs.keyed),
      creates_unkeyed: subFigures(subs.unkeyed),
      concurrency: SUB_CONCURRENCY,
      goal_per_second: GOAL_SUB_PER_SECOND,
    },
    soak: soak
      ? {
          seconds: soak.seconds,
          warmup_s: SOAK_WARMUP,
          bucket: SOAK_BUCKET,
          read_rate: SOAK_READ_RATE,
          write_rate: SOAK_WRITE_RATE,
          scheduled: soak.scheduled,
          completed: soak.completed,
          achieved_rps: soak.achievedRps,
          errors: soakErrors,
          non2xx: soak.non2xx,
          rate_limited: soak.rateLimited,
          failures: soak.failures,
          status_codes: soak.statusCodes,
          max_send_lag_ms: soak.maxSendLagMs,
          latency_ms: soak.latency,
          timeline: soak.timeline.map((t) => ({ s: t.second, n: t.count, p99: round1(t.p99), max: round1(t.max), err: t.errors })),
          goal_p99_ms: GOAL_SOAK_P99_MS,
        }
      : null,
    goals: Object.fromEntries(Object.entries(goals).map(([k, v]) => [k, v ?? null])),
    all_goals_met: allMet,
  };
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

await bench.run(main);
