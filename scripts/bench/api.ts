// API benchmark: `npm run bench:api -- [--duration 10] [--soak-seconds 60] [--connections 50]`
// (`--help` lists the rest; `--only ours-get` runs one phase, e.g. under `node --cpu-prof`).
//
// 1. Throughput (closed loop, autocannon): our POST /v1/customers and GET /v1/customers/{id} against
//    a "bare" Fastify + pg floor doing the same writes (the customer and its customer.created outbox
//    event, one hand-written statement) / the same SELECT, with no auth, validation or mapping.
//    Goal: ours ≥ 0.5 × bare requests/s.
// 2. Soak (open loop, fixed arrival rate): 100 reads/s + 100 writes/s with one API key, rate limiting
//    on. Goal: 0 errors, p99 < 100 ms (latency measured from the scheduled send time).
//
// Runs on a fresh database on the server at DATABASE_URL (dropped at the end). The load generator
// runs in a worker thread (load-worker.ts) so it does not share an event loop with the servers.
// Always exits 0 after a completed run, goals met or not; prints Markdown tables and a JSON line.
import os from 'node:os';
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
import { createMerchantService } from '../../src/modules/merchants/service.ts';
import { createInvoiceLedger } from '../../src/modules/invoices/ledger.ts';
import { num, rpcWorker, say, startBench, type RpcWorker } from './harness.ts';
import type { ClosedLoopOptions, ClosedLoopResult, SoakOptions, SoakResult, WorkerRequest } from './load-worker.ts';
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
    'pool-max': { type: 'string', default: '20' },
    only: { type: 'string' }, // comma list of ours-post,bare-post,ours-get,bare-get,soak (for profiling)
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (args.help) {
  process.stdout.write(
    'usage: npm run bench:api -- [--duration S=10] [--soak-seconds S=60] [--connections N=50] [--warmup S=2] [--rounds N=1]\n' +
      '       [--soak-warmup S=3] [--soak-read-rate N=100] [--soak-write-rate N=100] [--pool-max N=20] [--only ours-post,bare-post,ours-get,bare-get,soak]\n',
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
const PHASES = ['ours-post', 'bare-post', 'ours-get', 'bare-get', 'soak'] as const;
type Phase = (typeof PHASES)[number];
const only = args.only ? new Set(args.only.split(',').map((s) => s.trim())) : undefined;
for (const p of only ?? []) {
  if (!PHASES.includes(p as Phase)) {
    process.stderr.write(`--only: unknown phase ${p} (one of ${PHASES.join(', ')})\n`);
    process.exit(2);
  }
}
const runs = (p: Phase) => (only ? only.has(p) : p !== 'soak' || SOAK_SECONDS > 0);

const GOAL_RATIO = 0.5;
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

// ---------------------------------------------------------------------------------------------
// Servers

const APP_CONFIG: AppConfig = { BODY_LIMIT_BYTES: 1_048_576, RATE_LIMIT_PER_SECOND: 0, RATE_LIMIT_BURST: 1, IDEMPOTENCY_TTL_HOURS: 24, WEBHOOK_ALLOW_PRIVATE_URLS: false };
const SOAK_CONFIG: AppConfig = { ...APP_CONFIG, RATE_LIMIT_PER_SECOND: 250, RATE_LIMIT_BURST: 500 };

async function listen(app: FastifyInstance): Promise<string> {
  apps.add(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

async function startOurs(config: AppConfig): Promise<string> {
  const services = createServices({ db: database!.db, clock: systemClock, jobs: noJobs, allowPrivateUrls: false });
  const app = await buildApp({ config, database: database!, services, logger: createLogger('warn') });
  return listen(app);
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

/** The floor: the same row written and read with one query each, no auth, validation or mapping. */
async function startBare(merchantId: string): Promise<string> {
  barePool = new pg.Pool({ connectionString: bench.url, max: POOL_MAX });
  barePool.on('error', (err) => {
    if (!bench.cleaning) say(`idle bare client failed: ${err.message}`);
  });
  const pool = barePool;
  const app = Fastify({ logger: false });
  app.post('/bare/customers', async (req, reply) => {
    const b = (req.body ?? {}) as { name?: string; email?: string };
    const now = new Date();
    const { rows } = await pool.query(BARE_INSERT, [
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
    ]);
    return reply.code(201).send(rows[0]);
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

type Measured = ClosedLoopResult & { label: string; rounds: ClosedLoopResult[] };

async function measure(label: string, opts: Omit<ClosedLoopOptions, 'duration' | 'connections'>, warm: boolean): Promise<ClosedLoopResult> {
  const full = { ...opts, connections: CONNECTIONS };
  if (warm && WARMUP > 0) {
    say(`${label}: warming up ${WARMUP} s`);
    await closedLoop({ ...full, duration: WARMUP });
  }
  say(`${label}: measuring ${DURATION} s with ${CONNECTIONS} connections`);
  const r = await closedLoop({ ...full, duration: DURATION });
  say(`${label}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`);
  return r;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Several rounds: median req/s and latency percentiles; counts summed. */
function combine(label: string, rounds: ClosedLoopResult[]): Measured {
  const statusCodes: Record<string, number> = {};
  for (const r of rounds) for (const [c, n] of Object.entries(r.statusCodes)) statusCodes[c] = (statusCodes[c] ?? 0) + n;
  const med = (f: (r: ClosedLoopResult) => number) => median(rounds.map(f));
  const sum = (f: (r: ClosedLoopResult) => number) => rounds.reduce((a, r) => a + f(r), 0);
  return {
    label,
    rounds,
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

  const { merchant, secret } = await createMerchantService({ db: database.db, clock: systemClock, ledger: createInvoiceLedger() }).createMerchant({ name: 'Bench AB', livemode: false });
  const auth = { authorization: `Bearer ${secret}` };
  const json = { 'content-type': 'application/json' };
  const body = JSON.stringify({ name: 'Anna Andersson', email: 'anna@example.se' });

  loadGen = rpcWorker<WorkerRequest>('load generator', new URL('./load-worker.ts', import.meta.url));

  // --- Throughput -----------------------------------------------------------------------------
  const results: Partial<Record<'oursPost' | 'barePost' | 'oursGet' | 'bareGet', Measured>> = {};
  const throughput = (['ours-post', 'bare-post', 'ours-get', 'bare-get'] as const).some(runs);
  if (throughput) {
    const ours = await startOurs(APP_CONFIG);
    const bare = await startBare(merchant.id);
    say(`our app on ${ours}, bare app on ${bare}, ${os.availableParallelism()} CPUs, PostgreSQL ${pgVersion}`);

    // One customer to read, created through our API (both GET benches read the same row).
    const created = await fetch(`${ours}/v1/customers`, { method: 'POST', headers: { ...auth, ...json }, body });
    if (created.status !== 201) throw new Error(`creating the customer to read failed: ${created.status} ${await created.text()}`);
    const customerId = ((await created.json()) as { id: string }).id;
    const bareCheck = await fetch(`${bare}/bare/customers/${customerId}`);
    if (bareCheck.status !== 200) throw new Error(`bare GET failed: ${bareCheck.status}`);

    // Ours and bare alternate, so a slow patch on a shared machine hits both sides alike; with
    // --rounds N the whole sequence repeats and the medians are reported.
    const benches = [
      { key: 'oursPost', phase: 'ours-post', label: 'ours POST /v1/customers', opts: { url: `${ours}/v1/customers`, method: 'POST', headers: { ...auth, ...json }, body } },
      { key: 'barePost', phase: 'bare-post', label: 'bare POST /bare/customers', opts: { url: `${bare}/bare/customers`, method: 'POST', headers: json, body } },
      { key: 'oursGet', phase: 'ours-get', label: 'ours GET /v1/customers/{id}', opts: { url: `${ours}/v1/customers/${customerId}`, method: 'GET', headers: auth } },
      { key: 'bareGet', phase: 'bare-get', label: 'bare GET /bare/customers/{id}', opts: { url: `${bare}/bare/customers/${customerId}`, method: 'GET', headers: {} } },
    ] as const;
    const perRound = new Map<string, ClosedLoopResult[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const b of benches) {
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
    say(`soak: ${SOAK_READ_RATE} reads/s + ${SOAK_WRITE_RATE} writes/s for ${SOAK_SECONDS} s, open loop, one API key, rate limit ${SOAK_CONFIG.RATE_LIMIT_PER_SECOND}/s burst ${SOAK_CONFIG.RATE_LIMIT_BURST}`);
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
  const ratio = (a?: Measured, b?: Measured) => (a && b && b.rps > 0 ? a.rps / b.rps : undefined);
  const postRatio = ratio(results.oursPost, results.barePost);
  const getRatio = ratio(results.oursGet, results.bareGet);
  const soakErrors = soak ? soak.non2xx + soak.failures + (soak.scheduled - soak.completed - soak.failures) : undefined;
  const goals = {
    postRatio: postRatio === undefined ? undefined : postRatio >= GOAL_RATIO,
    getRatio: getRatio === undefined ? undefined : getRatio >= GOAL_RATIO,
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
      `Throughput: autocannon, ${CONNECTIONS} connections, ${DURATION} s per run after ${WARMUP} s warm-up${ROUNDS > 1 ? `, median of ${ROUNDS} alternating rounds` : ''}; pool max ${POOL_MAX}; load generator, app and PostgreSQL on one machine.`,
    );
    out.push('');
    out.push('| Endpoint | req/s (avg) | p50 ms | p99 ms | non-2xx | errors |');
    out.push('|---|---:|---:|---:|---:|---:|');
    for (const r of [results.oursPost, results.barePost, results.oursGet, results.bareGet]) {
      if (!r) continue;
      out.push(`| ${r.label} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.non2xx} | ${r.errors + r.timeouts} |`);
    }
    out.push('');
    out.push(`| Ratio ours / bare | value | goal | met |`);
    out.push('|---|---:|---:|:---:|');
    out.push(`| POST /customers | ${fmt(postRatio, 2)} | ≥ ${GOAL_RATIO} | ${yes(goals.postRatio)} |`);
    out.push(`| GET /customers/{id} | ${fmt(getRatio, 2)} | ≥ ${GOAL_RATIO} | ${yes(goals.getRatio)} |`);
    out.push('');
  }
  if (soak) {
    const l = soak.latency;
    out.push(
      `Soak: open loop, ${SOAK_READ_RATE} GET/s + ${SOAK_WRITE_RATE} POST/s for ${SOAK_SECONDS} s (after ${SOAK_WARMUP} s warm-up) with one API key, rate limiting on (${SOAK_CONFIG.RATE_LIMIT_PER_SECOND}/s, burst ${SOAK_CONFIG.RATE_LIMIT_BURST}); latency from the scheduled send time.`,
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

  const figures = {
    env,
    throughput: Object.fromEntries(
      Object.entries(results).map(([k, r]) => [
        k,
        { rps: r.rps, rps_rounds: r.rounds.map((x) => Math.round(x.rps)), total: r.total, latency_avg_ms: r.latencyAvg, p50_ms: r.p50, p90_ms: r.p90, p99_ms: r.p99, max_ms: r.max, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, status_codes: r.statusCodes },
      ]),
    ),
    ratio: { post: postRatio ?? null, get: getRatio ?? null, goal: GOAL_RATIO },
    soak: soak
      ? {
          seconds: soak.seconds,
          warmup_s: SOAK_WARMUP,
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
