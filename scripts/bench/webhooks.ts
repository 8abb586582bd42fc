// Webhook delivery benchmark: `npm run bench:webhooks -- [--events 20000] [--endpoints 1] [--per-endpoint 20]`
// (`--help` lists the rest; run `node --cpu-prof scripts/bench/webhooks.ts` with DATABASE_URL set to profile).
//
// 1. Outbox → receiver: a few producer loops commit `--events` events, each in its own transaction
//    through events.record (which fans out one delivery per endpoint), as fast as they can. The
//    delivery worker (createDeliveryWorker, in this process) POSTs them to a local receiver (plain
//    node:http, one port per endpoint, in a worker thread). Measured: deliveries/s (deliveries /
//    (last arrival − first commit)) and the latency from each event's commit to its arrival.
//    Goals: ≥ 1,000 deliveries/s and p99 < 1 s.
// 2. The ledger: events committed × endpoints = delivered + failed + pending (from the database),
//    pending = 0, and the receiver saw every delivered id. The run is void unless its ledger balances.
// 3. The floor: a bare undici loop POSTing a signed body of the same size to the same receiver, no
//    database: at the worker's own limits (in flight and connections per origin) and at the full
//    concurrency with as many connections.
//
// `--mode drain` commits every event before the worker starts: the worker's own capacity, without
// producers competing for the CPU (latency then counts from the worker's start; no latency goal).
//
// Runs on a fresh database on the server at DATABASE_URL (dropped at the end). Progress on stderr;
// Markdown tables and one JSON line on stdout. Exits 0 after a completed run, goals met or not.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { systemClock } from '../../src/clock.ts';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { newId } from '../../src/db/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { createMerchantService } from '../../src/modules/merchants/service.ts';
import { createInvoiceLedger } from '../../src/modules/invoices/ledger.ts';
import { createDeliveryWorker, type DeliveryWorker } from '../../src/modules/webhooks/delivery.ts';
import { signatureHeaders } from '../../src/modules/webhooks/signature.ts';
import { noJobs } from '../../src/jobs/queue.ts';
import { createServices } from '../../src/services.ts';
import { generateKey } from '../../src/kernel/secret-box.ts';
import { num, rpcWorker, say, startBench, type RpcWorker } from './harness.ts';
import { benchEnv, fmt, heading, quantile, round1, yes } from './report.ts';
import type { ReceiverData, ReceiverDump, ReceiverRequest, ReceiverStats } from './webhook-receiver.ts';

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    endpoints: { type: 'string', default: '1' },
    'per-endpoint': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '200' },
    producers: { type: 'string', default: '8' },
    'pool-max': { type: 'string', default: '20' },
    'poll-ms': { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '300' },
    'floor-requests': { type: 'string' },
    'skip-floor': { type: 'boolean', default: false },
    mode: { type: 'string', default: 'live' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (args.help) {
  process.stdout.write(
    'usage: npm run bench:webhooks -- [--events N=20000] [--endpoints N=1] [--per-endpoint N=20] [--concurrency N=200]\n' +
      '       [--producers N=8] [--pool-max N=20] [--poll-ms MS=1000] [--timeout S=300] [--floor-requests N=events] [--skip-floor]\n' +
      '       [--mode live|drain]\n' +
      '  --pool-max is the delivery worker\'s pool; the producers have their own (one connection each), as an API process would.\n' +
      '  --mode drain commits every event first and only then starts the worker: the worker\'s own capacity, without the\n' +
      '  producers competing for the CPU; latency is then counted from the worker\'s start (the goals are for live mode).\n',
  );
  process.exit(0);
}

const EVENTS = Math.round(num('events', args.events, 1));
const ENDPOINTS = Math.round(num('endpoints', args.endpoints, 1));
const PER_ENDPOINT = Math.round(num('per-endpoint', args['per-endpoint'], 1));
const CONCURRENCY = Math.round(num('concurrency', args.concurrency, 1));
const PRODUCERS = Math.round(num('producers', args.producers, 1));
const POOL_MAX = Math.round(num('pool-max', args['pool-max'], 2));
const POLL_MS = Math.round(num('poll-ms', args['poll-ms'], 10));
const TIMEOUT_S = num('timeout', args.timeout, 1);
const FLOOR_REQUESTS = Math.round(num('floor-requests', args['floor-requests'] ?? String(EVENTS), 1));
const SKIP_FLOOR = args['skip-floor'];
if (args.mode !== 'live' && args.mode !== 'drain') {
  process.stderr.write('--mode must be live or drain\n');
  process.exit(2);
}
const MODE: 'live' | 'drain' = args.mode;

const GOAL_RATE = 1000;
const GOAL_P99_MS = 1000;
const DELIVERY_CONFIG = { allowPrivateUrls: true, timeoutMs: 10_000, connectTimeoutMs: 3000, concurrency: CONCURRENCY, perEndpoint: PER_ENDPOINT, pollMs: POLL_MS };

const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Resources, released by bench.cleanup() on success, failure or a signal.

let receiver: RpcWorker<ReceiverRequest> | undefined;
let producerDb: Database | undefined;
let workerDb: Database | undefined;
let delivery: DeliveryWorker | undefined;
const agents = new Set<Agent>();

const bench = startBench('bench:webhooks', async () => {
  await stopDelivery(15_000);
  for (const a of agents) await a.destroy().catch(() => {});
  await receiver?.terminate();
  await producerDb?.pool.end().catch(() => {});
  await workerDb?.pool.end().catch(() => {});
});

/** Stops the delivery worker (lets its requests in flight finish), at most `ms` long. */
async function stopDelivery(ms: number): Promise<void> {
  const d = delivery;
  delivery = undefined;
  if (!d) return;
  const stopped = await Promise.race([d.stop().then(() => true), sleep(ms).then(() => false)]).catch((e: unknown) => {
    say(`stopping the delivery worker failed: ${String(e)}`);
    return true;
  });
  if (!stopped) say(`the delivery worker did not stop within ${ms} ms`);
}

const ask = <T>(kind: ReceiverRequest['kind']) => receiver!.ask<T>({ kind });

// ---------------------------------------------------------------------------------------------
// Measuring

type LatencySummary = { count: number; p50: number; p90: number; p99: number; max: number; mean: number };

function summarize(values: ArrayLike<number>): LatencySummary {
  const s = Float64Array.from(values).sort();
  const at = (q: number) => quantile(s, q) ?? NaN;
  let sum = 0;
  for (const v of s) sum += v;
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), mean: s.length ? sum / s.length : NaN };
}

const roundSummary = (l: LatencySummary) => ({ count: l.count, p50: round1(l.p50), p90: round1(l.p90), p99: round1(l.p99), max: round1(l.max), mean: round1(l.mean) });

type FloorResult = { label: string; requests: number; inFlight: number; connections: number; seconds: number; rps: number; latency: LatencySummary; non2xx: number; errors: number };

/** The floor: signed POSTs of the same body size with undici, `inFlight` at a time, no database. */
async function floorLoop(label: string, origins: string[], body: string, secret: string, o: { requests: number; inFlight: number; connections: number }): Promise<FloorResult> {
  const agent = new Agent({ connections: o.connections, headersTimeout: 10_000, bodyTimeout: 10_000, connect: { timeout: 3000 } });
  agents.add(agent);
  const urls = origins.map((x) => new URL('/floor', x));
  const lat = new Float64Array(o.requests);
  let next = 0;
  let done = 0;
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  async function loop() {
    for (;;) {
      const i = next++;
      if (i >= o.requests) return;
      const t0 = performance.now();
      try {
        const headers = {
          'content-type': 'application/json',
          'user-agent': 'Omtanke-Webhooks/1.0',
          ...signatureHeaders([secret], `floor_${i}`, Math.floor(Date.now() / 1000), body),
        };
        const res = await request(urls[i % urls.length]!, { method: 'POST', headers, body, dispatcher: agent, signal: AbortSignal.timeout(10_000) });
        await res.body.text();
        if (res.statusCode < 200 || res.statusCode >= 300) non2xx++;
      } catch {
        errors++;
      }
      lat[done++] = performance.now() - t0;
    }
  }
  await Promise.all(Array.from({ length: o.inFlight }, loop));
  const seconds = (performance.now() - started) / 1000;
  agents.delete(agent);
  await agent.close();
  return { label, requests: o.requests, inFlight: o.inFlight, connections: o.connections, seconds, rps: o.requests / seconds, latency: summarize(lat.subarray(0, done)), non2xx, errors };
}

async function main() {
  const pgVersion = await bench.serverVersion();
  await bench.create();
  const onError = (err: Error) => {
    if (!bench.cleaning) say(`idle database client failed: ${err.message}`);
  };
  // Two pools, as an API process and a worker process would have: the producers' and the worker's.
  producerDb = createDatabase(bench.url, { max: PRODUCERS + 1, onError });
  workerDb = createDatabase(bench.url, { max: POOL_MAX, onError });

  const { merchant } = await createMerchantService({ db: producerDb.db, clock: systemClock, ledger: createInvoiceLedger() }).createMerchant({ name: 'Bench AB', livemode: false });
  const tenant = { merchantId: merchant.id, livemode: false };
  // The bench's database is its own and thrown away: a key of its own seals the endpoints' secrets.
  const secretsKey = generateKey();
  const services = createServices({ db: producerDb.db, clock: systemClock, jobs: noJobs, allowPrivateUrls: true, secretsKey });

  receiver = rpcWorker<ReceiverRequest>('receiver', new URL('./webhook-receiver.ts', import.meta.url), { workerData: { endpoints: ENDPOINTS } satisfies ReceiverData });
  const ports = await ask<number[]>('ports');
  const origins = ports.map((p) => `http://127.0.0.1:${p}`);
  const endpoints = [];
  for (const origin of origins) endpoints.push(await services.webhooks.create(tenant, { url: `${origin}/webhooks` }));
  say(`${ENDPOINTS} endpoint(s) on ${origins.join(', ')}; ${os.availableParallelism()} CPUs, PostgreSQL ${pgVersion}`);

  // --- Delivery worker ------------------------------------------------------------------------
  const { webhooks } = createServices({ db: workerDb.db, clock: systemClock, jobs: noJobs, allowPrivateUrls: true, secretsKey });
  delivery = createDeliveryWorker({ db: workerDb.db, clock: systemClock, wall: systemClock, log: createLogger('warn'), webhooks, config: DELIVERY_CONFIG });
  if (MODE === 'live') await delivery.start(bench.url);
  // Warm both pools' connections, so the run does not start with connection set-up.
  await Promise.all([
    ...Array.from({ length: PRODUCERS }, () => producerDb!.pool.query('select 1')),
    ...Array.from({ length: Math.min(POOL_MAX, 10) }, () => workerDb!.pool.query('select 1')),
  ]);

  // --- Producers ------------------------------------------------------------------------------
  const expected = EVENTS * ENDPOINTS;
  say(
    `${MODE} mode: producing ${EVENTS} events with ${PRODUCERS} producers (one transaction each) → ${expected} deliveries; worker concurrency ${CONCURRENCY}, ${PER_ENDPOINT} per endpoint, pool ${POOL_MAX}${MODE === 'drain' ? '; the worker starts when all are committed' : ''}`,
  );
  const commits = new Map<string, number>();
  let nextEvent = 0;
  let produceErrors = 0;
  let firstCommit = Infinity;
  let lastCommit = 0;
  let producing = true;
  const produceStart = wallNow();
  async function produce() {
    for (;;) {
      const n = nextEvent++;
      if (n >= EVENTS || bench.cleaning) return;
      const objectId = newId('customer');
      try {
        const ev = await producerDb!.db.transaction((tx) =>
          services.events.record(tx, tenant, {
            type: 'customer.updated',
            objectId,
            object: {
              id: objectId,
              object: 'customer',
              type: 'person',
              name: `Kund ${n}`,
              email: `kund${n}@example.se`,
              locale: 'sv',
              country: 'SE',
              metadata: {},
            },
            previousAttributes: { email: `old${n}@example.se` },
          }),
        );
        const at = wallNow();
        commits.set(ev.id, at);
        if (at < firstCommit) firstCommit = at;
        if (at > lastCommit) lastCommit = at;
      } catch (e) {
        if (bench.cleaning) return;
        if (produceErrors++ < 5) say(`producing an event failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const produced = Promise.all(Array.from({ length: PRODUCERS }, produce)).finally(() => {
    producing = false;
  });
  // In drain mode latency counts from the worker's start; in live mode from each event's commit.
  let workerStart = 0;
  if (MODE === 'drain') {
    let last = 0;
    while (producing) {
      await Promise.race([produced, sleep(1000)]);
      say(`committed ${commits.size} (+${commits.size - last})`);
      last = commits.size;
    }
    await produced;
    say(`${commits.size} events committed in ${fmt((lastCommit - produceStart) / 1000, 1)} s; starting the delivery worker`);
    workerStart = wallNow();
    await delivery.start(bench.url);
  }

  // --- Progress, until the receiver has every delivery (or the timeout) -----------------------
  const timeline: { s: number; committed: number; received: number }[] = [];
  const deadline = performance.now() + TIMEOUT_S * 1000;
  let stats: ReceiverStats = await ask<ReceiverStats>('stats');
  let lastCommitted = 0;
  let lastReceived = 0;
  let tick = 0;
  for (;;) {
    await sleep(1000);
    stats = await ask<ReceiverStats>('stats');
    tick++;
    const committed = commits.size;
    timeline.push({ s: tick, committed, received: stats.distinct });
    say(
      `${tick} s: committed ${committed} (+${committed - lastCommitted}/s), received ${stats.distinct}/${producing ? '…' : committed * ENDPOINTS} (+${stats.distinct - lastReceived}/s), duplicates ${stats.duplicates}`,
    );
    lastCommitted = committed;
    lastReceived = stats.distinct;
    if (!producing && stats.distinct >= commits.size * ENDPOINTS) break;
    if (performance.now() > deadline) {
      say(`timed out after ${TIMEOUT_S} s waiting for deliveries`);
      break;
    }
  }
  await produced;
  const produceSeconds = (lastCommit - produceStart) / 1000;

  // Stop claiming and let requests in flight record their outcome, then read the ledger.
  say('stopping the delivery worker');
  await stopDelivery(30_000);
  // A duplicate could still arrive after the last first arrival: give stragglers a moment.
  await sleep(200);
  const dump = await ask<ReceiverDump>('dump');
  stats = await ask<ReceiverStats>('stats');

  const q = workerDb.pool;
  const byStatus = Object.fromEntries(
    (await q.query<{ status: string; n: number }>('select status, count(*)::int as n from webhook_deliveries group by 1')).rows.map((r) => [r.status, r.n]),
  ) as Record<string, number>;
  const eventsInDb = (await q.query<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n;
  const attempts = (await q.query<{ n: number; ok: number }>('select count(*)::int as n, count(*) filter (where succeeded)::int as ok from webhook_attempts')).rows[0]!;
  const maxAttempts = (await q.query<{ n: number | null }>('select max(attempts)::int as n from webhook_deliveries')).rows[0]!.n ?? 0;

  // --- Latency from commit to first arrival ---------------------------------------------------
  const latencies: number[] = [];
  let lastArrival = 0;
  let unknownIds = 0;
  for (const e of dump.endpoints) {
    for (let i = 0; i < e.ids.length; i++) {
      const commit = commits.get(e.ids[i]!);
      const at = e.at[i]!;
      if (commit === undefined) {
        unknownIds++;
        continue;
      }
      latencies.push(at - (MODE === 'drain' ? workerStart : commit));
      if (at > lastArrival) lastArrival = at;
    }
  }
  const latency = summarize(latencies);
  const deliverySeconds = (lastArrival - (MODE === 'drain' ? workerStart : firstCommit)) / 1000;
  const deliveryRate = latencies.length / deliverySeconds;

  // --- The ledger -------------------------------------------------------------------------------
  const committed = commits.size;
  const delivered = byStatus.delivered ?? 0;
  const failed = byStatus.failed ?? 0;
  const pendingRows = byStatus.pending ?? 0;
  const receiverDistinct = latencies.length;
  const ledger = {
    events_committed: committed,
    events_in_db: eventsInDb,
    produce_errors: produceErrors,
    deliveries_expected: committed * ENDPOINTS,
    delivered,
    failed,
    pending: pendingRows,
    receiver_distinct: receiverDistinct,
    receiver_unknown_ids: unknownIds,
    duplicates: stats.duplicates,
    attempts: attempts.n,
    attempts_succeeded: attempts.ok,
    max_attempts: maxAttempts,
  };
  const ledgerChecks = {
    eventsInDb: eventsInDb === committed,
    sums: delivered + failed + pendingRows === committed * ENDPOINTS,
    noPending: pendingRows === 0,
    receiverSawDelivered: receiverDistinct >= delivered && receiverDistinct <= delivered + failed && unknownIds === 0,
  };
  const balanced = Object.values(ledgerChecks).every(Boolean);
  if (!balanced) say(`VOID: the ledger does not balance: ${JSON.stringify(ledger)}`);
  say(`deliveries: ${fmt(deliveryRate)}/s, p50 ${fmt(latency.p50, 1)} ms, p99 ${fmt(latency.p99, 1)} ms, max ${fmt(latency.max, 1)} ms; ledger ${balanced ? 'balances' : 'VOID'}`);

  // --- The floor --------------------------------------------------------------------------------
  const floors: FloorResult[] = [];
  if (!SKIP_FLOOR) {
    const sample = (await q.query<{ id: string; type: string; api_version: string; livemode: boolean; data: unknown; created_at: Date }>('select id, type, api_version, livemode, data, created_at from events limit 1')).rows[0];
    const body = sample
      ? JSON.stringify({ id: sample.id, object: 'event', type: sample.type, api_version: sample.api_version, livemode: sample.livemode, created_at: new Date(sample.created_at).toISOString(), data: sample.data })
      : JSON.stringify({ id: newId('event'), object: 'event', data: { object: {} } });
    const secret = endpoints[0]!.secret;
    const workerInFlight = Math.min(CONCURRENCY, PER_ENDPOINT * ENDPOINTS);
    const runs = [
      { label: `floor at the worker's limits (${workerInFlight} in flight, ${PER_ENDPOINT} connections per origin)`, inFlight: workerInFlight, connections: PER_ENDPOINT },
      { label: `floor at full concurrency (${CONCURRENCY} in flight, ${CONCURRENCY} connections per origin)`, inFlight: CONCURRENCY, connections: CONCURRENCY },
    ];
    for (const r of runs) {
      say(`${r.label}: ${FLOOR_REQUESTS} signed POSTs of ${Buffer.byteLength(body)} bytes`);
      await floorLoop('warm-up', origins, body, secret, { requests: Math.min(2000, FLOOR_REQUESTS), inFlight: r.inFlight, connections: r.connections });
      const f = await floorLoop(r.label, origins, body, secret, { requests: FLOOR_REQUESTS, inFlight: r.inFlight, connections: r.connections });
      say(`${r.label}: ${fmt(f.rps)} req/s, p50 ${fmt(f.latency.p50, 1)} ms, p99 ${fmt(f.latency.p99, 1)} ms, non-2xx ${f.non2xx}, errors ${f.errors}`);
      floors.push(f);
    }
  }

  await ask<null>('close').catch(() => null);
  await bench.cleanup();

  // --- Report -----------------------------------------------------------------------------------
  // Drain mode measures capacity only: its latency is queueing time in a backlog, not a goal.
  const goals: { rate: boolean; p99?: boolean } = MODE === 'live' ? { rate: deliveryRate >= GOAL_RATE, p99: latency.p99 < GOAL_P99_MS } : { rate: deliveryRate >= GOAL_RATE };
  const allMet = balanced && Object.values(goals).every(Boolean);
  const from = MODE === 'live' ? 'commit' : 'worker start';
  const env = benchEnv(pgVersion);
  const settings = { mode: MODE, events: EVENTS, endpoints: ENDPOINTS, producers: PRODUCERS, pool_max: POOL_MAX, ...DELIVERY_CONFIG };

  const out: string[] = [];
  out.push('');
  out.push(heading('Webhook delivery benchmark', env));
  out.push('');
  if (!balanced) {
    out.push('**VOID — the ledger does not balance (see below); this run does not count.**');
    out.push('');
  }
  out.push(
    `${MODE === 'live' ? 'Live' : 'Drain'} mode: ${EVENTS} \`customer.updated\` events, each committed in its own transaction by ${PRODUCERS} producer loops, fanned out to ${ENDPOINTS} endpoint(s) (${committed * ENDPOINTS} deliveries)` +
      `${MODE === 'drain' ? ', all committed before the delivery worker starts' : ', delivered while they are produced'}; ` +
      `delivery worker in this process: concurrency ${CONCURRENCY}, ${PER_ENDPOINT} per endpoint, pool ${POOL_MAX}, poll ${POLL_MS} ms; receiver: node:http in a worker thread, one port per endpoint; producer, worker, receiver and PostgreSQL on one machine.`,
  );
  out.push('');
  out.push('| Delivery | value | goal | met |');
  out.push('|---|---:|---:|:---:|');
  out.push(`| events committed | ${committed} in ${fmt(produceSeconds, 1)} s (${fmt(committed / produceSeconds)}/s) | | |`);
  out.push(`| deliveries/s (deliveries / (last arrival − ${MODE === 'live' ? 'first commit' : 'worker start'})) | ${fmt(deliveryRate)} (${receiverDistinct} in ${fmt(deliverySeconds, 1)} s) | ≥ ${GOAL_RATE} | ${yes(goals.rate)} |`);
  out.push(`| latency ${from} → arrival p50 / p90 | ${fmt(latency.p50, 1)} / ${fmt(latency.p90, 1)} ms | | |`);
  out.push(`| latency ${from} → arrival p99 | ${fmt(latency.p99, 1)} ms | ${MODE === 'live' ? `< ${GOAL_P99_MS} ms` : ''} | ${yes(goals.p99)} |`);
  out.push(`| latency max | ${fmt(latency.max, 1)} ms | | |`);
  out.push(`| duplicates at the receiver | ${stats.duplicates} | | |`);
  out.push('');
  out.push('| Ledger | count |');
  out.push('|---|---:|');
  out.push(`| events committed (producers / in database) | ${committed} / ${eventsInDb}${produceErrors ? ` (${produceErrors} failed)` : ''} |`);
  out.push(`| deliveries expected (events × endpoints) | ${committed * ENDPOINTS} |`);
  out.push(`| delivered | ${delivered} |`);
  out.push(`| failed | ${failed} |`);
  out.push(`| pending (must be 0) | ${pendingRows} |`);
  out.push(`| receiver: distinct ids (unknown ids) | ${receiverDistinct} (${unknownIds}) |`);
  out.push(`| attempts recorded (succeeded); most attempts of one delivery | ${attempts.n} (${attempts.ok}); ${maxAttempts} |`);
  out.push(`| **ledger** | ${balanced ? 'balances' : `**VOID** (${Object.entries(ledgerChecks).filter(([, v]) => !v).map(([k]) => k).join(', ')})`} |`);
  out.push('');
  if (floors.length > 0) {
    out.push('| Floor: undici POST + signing, no database | requests | req/s | p50 ms | p99 ms | max ms | non-2xx | errors |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const f of floors) out.push(`| ${f.label} | ${f.requests} | ${fmt(f.rps)} | ${fmt(f.latency.p50, 1)} | ${fmt(f.latency.p99, 1)} | ${fmt(f.latency.max, 1)} | ${f.non2xx} | ${f.errors} |`);
    out.push('');
    out.push(`Delivery worker / floor at the worker's limits: ${fmt(deliveryRate / floors[0]!.rps, 2)} of the floor's requests/s.`);
    out.push('');
  }
  if (!balanced) out.push('**VOID: the ledger does not balance; the figures above do not count.**');
  else out.push(allMet ? '**All goals met.**' : `**Goals NOT met:** ${Object.entries(goals).filter(([, v]) => !v).map(([k]) => k).join(', ')}.`);
  out.push('');

  const figures = {
    env,
    settings,
    producer: { events: committed, seconds: round1(produceSeconds), rate: Math.round(committed / produceSeconds), errors: produceErrors },
    delivery: { latency_from: MODE === 'live' ? 'commit' : 'worker_start', deliveries: receiverDistinct, seconds: round1(deliverySeconds), rate: Math.round(deliveryRate), latency_ms: roundSummary(latency), duplicates: stats.duplicates },
    timeline,
    ledger,
    ledger_checks: ledgerChecks,
    ledger_balanced: balanced,
    void: !balanced,
    floor: floors.map((f) => ({ label: f.label, requests: f.requests, in_flight: f.inFlight, connections: f.connections, rps: Math.round(f.rps), latency_ms: roundSummary(f.latency), non2xx: f.non2xx, errors: f.errors })),
    goals: { rate: goals.rate, p99: goals.p99 ?? null, rate_goal: GOAL_RATE, p99_goal_ms: GOAL_P99_MS },
    all_goals_met: allMet,
  };
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

await bench.run(main);
