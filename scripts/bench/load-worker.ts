// Load generator for scripts/bench/api.ts, run in a worker thread so that firing requests and
// measuring them does not share an event loop with the servers under test.
//  - `closed`: autocannon, closed loop (N connections, each sends its next request on a response).
//  - `soak`: our own open-loop scheduler on undici. Requests leave on a fixed timetable whether or
//    not earlier ones have answered, and latency is measured from the *scheduled* send time, so a
//    stalled server shows up as latency instead of being hidden by coordinated omission.
//  - `batch`: a fixed list of requests on undici, at most `concurrency` in flight (all at once when
//    concurrency ≥ the list): wall time, statuses and latencies of exactly these requests.
import { parentPort } from 'node:worker_threads';
import { Pool } from 'undici';
import autocannon, { type Options, type Result } from 'autocannon';
import { quantile } from './report.ts';

export type ClosedLoopOptions = {
  url: string;
  connections: number;
  duration: number;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Replace `[<id>]` anywhere in the request (headers too) by a fresh id per request. */
  idReplacement?: boolean;
};

export type ClosedLoopResult = {
  rps: number;
  total: number;
  latencyAvg: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
};

export type SoakOptions = {
  origin: string;
  apiKey: string;
  seconds: number;
  readRate: number;
  writeRate: number;
  readIds: string[];
  connections: number;
  timeoutMs: number;
};

export type LatencySummary = { count: number; p50: number; p90: number; p99: number; p999: number; max: number };

export type SoakResult = {
  seconds: number;
  scheduled: number;
  completed: number;
  ok: number;
  non2xx: number;
  failures: number;
  rateLimited: number;
  statusCodes: Record<string, number>;
  failureSamples: string[];
  achievedRps: number;
  maxSendLagMs: number;
  latency: { all: LatencySummary; reads: LatencySummary; writes: LatencySummary };
  /** Per second of the schedule (by when a request was due): how many, p99 and max latency, errors. */
  timeline: { second: number; count: number; p99: number; max: number; errors: number }[];
};

export type BatchRequest = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };

export type BatchOptions = {
  origin: string;
  requests: BatchRequest[];
  concurrency: number;
  timeoutMs: number;
  /** Send nothing new after this long (what was sent still finishes); unset: send the whole list. */
  deadlineMs?: number;
};

export type BatchResult = {
  /** requests sent (fewer than the list when the deadline cut it short) */
  requests: number;
  /** the list's length */
  planned: number;
  /** 2xx answers */
  ok: number;
  non2xx: number;
  /** no answer: connection errors and timeouts */
  failures: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  failureSamples: string[];
  /** from the first send to the last answer */
  wallMs: number;
  /** 2xx answers per second of wall time */
  okPerSecond: number;
  latency: LatencySummary;
  /** the `id` of each 2xx JSON answer, in request order (undefined for the others) */
  ids: (string | undefined)[];
};

export type WorkerRequest =
  | { id: number; kind: 'closed'; opts: ClosedLoopOptions }
  | { id: number; kind: 'soak'; opts: SoakOptions }
  | { id: number; kind: 'batch'; opts: BatchOptions };

export type WorkerResponse =
  | { id: number; ok: true; result: ClosedLoopResult | SoakResult | BatchResult }
  | { id: number; ok: false; error: string };

function closedLoop(opts: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const acOpts: Options = {
    url: opts.url,
    connections: opts.connections,
    duration: opts.duration,
    method: opts.method,
    headers: opts.headers,
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    ...(opts.idReplacement ? { idReplacement: true } : {}),
    timeout: 10,
  };
  return new Promise((resolve, reject) => {
    autocannon(acOpts, (err, result) => {
      if (err) return reject(err);
      // Off the main thread autocannon returns its raw counters and encoded histograms.
      const raw = 'totalCompletedRequests' in result ? result : undefined;
      const r = raw ? autocannon.aggregateResult([raw], acOpts) : (result as Result);
      const statusCodes: Record<string, number> = {};
      for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count;
      resolve({
        // The aggregate's per-second histogram is empty for raw results; average over the samples.
        rps: raw ? raw.totalCompletedRequests / Math.max(1, raw.samples) : r.requests.average,
        total: raw ? raw.totalCompletedRequests : r.requests.total,
        latencyAvg: r.latency.average,
        p50: r.latency.p50,
        p90: r.latency.p90,
        p99: r.latency.p99,
        max: r.latency.max,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        statusCodes,
      });
    });
  });
}

function summarize(values: number[]): LatencySummary {
  const s = Float64Array.from(values).sort();
  const at = (q: number) => quantile(s, q) ?? 0;
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: at(1) };
}

async function soak(opts: SoakOptions): Promise<SoakResult> {
  const pool = new Pool(opts.origin, {
    connections: opts.connections,
    pipelining: 1,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    keepAliveTimeout: 30_000,
  });
  const auth = `Bearer ${opts.apiKey}`;
  const ids = [...opts.readIds];
  const readLat: number[] = [];
  const writeLat: number[] = [];
  const statusCodes: Record<string, number> = {};
  const failureSamples: string[] = [];
  let scheduled = 0;
  let ok = 0;
  let non2xx = 0;
  let failures = 0;
  let rateLimited = 0;
  let maxSendLagMs = 0;
  let inFlight = 0;
  let seq = 0;
  let drained: (() => void) | undefined;

  const perSecond: { lat: number[]; errors: number }[] = [];
  let start = 0;
  const bucket = (at: number) => (perSecond[Math.max(0, Math.floor((at - start) / 1000))] ??= { lat: [], errors: 0 });

  const sample = (m: string) => {
    if (failureSamples.length < 5) failureSamples.push(m);
  };

  async function fire(kind: 'read' | 'write', at: number) {
    inFlight++;
    scheduled++;
    try {
      let res;
      if (kind === 'read') {
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        res = await pool.request({ method: 'GET', path: `/v1/customers/${id}`, headers: { authorization: auth } });
      } else {
        const n = seq++;
        res = await pool.request({
          method: 'POST',
          path: '/v1/customers',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Soak Kund ${n}`, email: `soak${n}@example.se` }),
        });
      }
      const text = await res.body.text();
      const latency = performance.now() - at;
      (kind === 'read' ? readLat : writeLat).push(latency);
      bucket(at).lat.push(latency);
      statusCodes[res.statusCode] = (statusCodes[res.statusCode] ?? 0) + 1;
      if (res.statusCode >= 200 && res.statusCode < 300) {
        ok++;
        if (kind === 'write') {
          const id = (JSON.parse(text) as { id?: string }).id;
          if (id) ids.push(id);
        }
      } else {
        non2xx++;
        bucket(at).errors++;
        if (res.statusCode === 429) rateLimited++;
        sample(`${kind} ${res.statusCode}: ${text.slice(0, 200)}`);
      }
    } catch (e) {
      failures++;
      bucket(at).errors++;
      sample(`${kind} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  }

  const readEvery = opts.readRate > 0 ? 1000 / opts.readRate : Infinity;
  const writeEvery = opts.writeRate > 0 ? 1000 / opts.writeRate : Infinity;
  start = performance.now() + 20;
  const end = start + opts.seconds * 1000;
  let nextRead = start;
  let nextWrite = start + (Number.isFinite(writeEvery) && Number.isFinite(readEvery) ? Math.min(readEvery, writeEvery) / 2 : 0);

  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      // Fire everything that is due, each stamped with the time it was due.
      for (;;) {
        const next = Math.min(nextRead, nextWrite);
        if (next >= end) return done();
        if (next > now) break;
        maxSendLagMs = Math.max(maxSendLagMs, now - next);
        if (nextRead <= nextWrite) {
          void fire('read', nextRead);
          nextRead += readEvery;
        } else {
          void fire('write', nextWrite);
          nextWrite += writeEvery;
        }
      }
      setTimeout(tick, Math.max(0, Math.min(nextRead, nextWrite) - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  const finishedScheduling = performance.now();
  if (inFlight > 0) {
    await new Promise<void>((r) => {
      drained = r;
      setTimeout(r, opts.timeoutMs + 1000).unref();
    });
  }
  await pool.close().catch(() => {});

  const all = [...readLat, ...writeLat];
  return {
    seconds: opts.seconds,
    scheduled,
    completed: all.length,
    ok,
    non2xx,
    failures,
    rateLimited,
    statusCodes,
    failureSamples,
    achievedRps: all.length / ((finishedScheduling - start) / 1000),
    maxSendLagMs,
    latency: { all: summarize(all), reads: summarize(readLat), writes: summarize(writeLat) },
    timeline: Array.from(perSecond, (b, second) => {
      const l = summarize(b?.lat ?? []);
      return { second, count: l.count, p99: l.p99, max: l.max, errors: b?.errors ?? 0 };
    }),
  };
}

async function batch(opts: BatchOptions): Promise<BatchResult> {
  const concurrency = Math.max(1, Math.min(opts.concurrency, opts.requests.length));
  const pool = new Pool(opts.origin, {
    connections: concurrency,
    pipelining: 1,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    keepAliveTimeout: 30_000,
  });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const failureSamples: string[] = [];
  const ids: (string | undefined)[] = new Array(opts.requests.length).fill(undefined);
  let ok = 0;
  let non2xx = 0;
  let failures = 0;
  let timeouts = 0;
  let next = 0;
  // Distinct failures only (request ids and timings aside), so five samples show five kinds.
  const seen = new Set<string>();
  const sample = (m: string) => {
    const kind = m.replace(/req_[0-9A-Za-z]+/g, 'req_…').replace(/after \d+ ms/, 'after … ms');
    if (failureSamples.length < 5 && !seen.has(kind)) {
      seen.add(kind);
      failureSamples.push(m);
    }
  };
  // Open the connections first, so the batch measures requests rather than TCP handshakes.
  await Promise.all(
    Array.from({ length: concurrency }, () =>
      pool.request({ method: 'GET', path: '/healthz' }).then((r) => r.body.dump(), () => {}),
    ),
  );
  const start = performance.now();
  async function lane() {
    for (;;) {
      if (opts.deadlineMs !== undefined && performance.now() - start > opts.deadlineMs) return;
      const i = next++;
      if (i >= opts.requests.length) return;
      const r = opts.requests[i]!;
      const at = performance.now();
      try {
        const res = await pool.request({ method: r.method, path: r.path, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) });
        const text = await res.body.text();
        latencies.push(performance.now() - at);
        statusCodes[res.statusCode] = (statusCodes[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 200 && res.statusCode < 300) {
          ok++;
          try {
            ids[i] = (JSON.parse(text) as { id?: string }).id;
          } catch {
            // not JSON: no id
          }
        } else {
          non2xx++;
          sample(`${r.method} ${r.path} ${res.statusCode}: ${text.slice(0, 300)}`);
        }
      } catch (e) {
        failures++;
        const name = e instanceof Error ? e.name : '';
        if (/Timeout/i.test(name) || /timeout/i.test(String((e as { code?: string }).code ?? ''))) timeouts++;
        sample(`${r.method} ${r.path} failed after ${(performance.now() - at).toFixed(0)} ms: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const wallMs = performance.now() - start;
  await pool.close().catch(() => {});
  return {
    requests: Math.min(next, opts.requests.length),
    planned: opts.requests.length,
    ok,
    non2xx,
    failures,
    timeouts,
    statusCodes,
    failureSamples,
    wallMs,
    okPerSecond: ok / (wallMs / 1000),
    latency: summarize(latencies),
    ids,
  };
}

parentPort?.on('message', (msg: WorkerRequest) => {
  const run = msg.kind === 'closed' ? closedLoop(msg.opts) : msg.kind === 'soak' ? soak(msg.opts) : batch(msg.opts);
  run.then(
    (result) => parentPort!.postMessage({ id: msg.id, ok: true, result } satisfies WorkerResponse),
    (e: unknown) => parentPort!.postMessage({ id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies WorkerResponse),
  );
});
