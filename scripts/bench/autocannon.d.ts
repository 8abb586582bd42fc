// The slice of autocannon's programmatic API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  type Histogram = {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    sent?: number;
    p1?: number;
    p2_5?: number;
    p50: number;
    p75?: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9?: number;
  };

  type Request = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  };

  type Options = {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    pipelining?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: Request[];
    /** Replace `[<id>]` in each request (url, headers and body) by a fresh id. */
    idReplacement?: boolean;
    overallRate?: number;
    connectionRate?: number;
    title?: string;
    workers?: number;
  };

  type Result = {
    title?: string;
    url: string;
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    resets: number;
    duration: number;
    start: Date;
    finish: Date;
    connections: number;
    pipelining: number;
    '1xx': number;
    '2xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
    statusCodeStats?: Record<string, { count: number }>;
  };

  /** What a run inside a worker thread hands back: not aggregated, histograms encoded. */
  type RawResult = {
    latencies: string;
    requests: string;
    throughput: string;
    totalCompletedRequests: number;
    totalRequests: number;
    totalBytes: number;
    samples: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    resets: number;
    duration: number;
    statusCodeStats: Record<string, { count: number }>;
  };

  type Instance = EventEmitter & { stop(): void };

  /** Off the main thread the callback gets a RawResult; pass it to aggregateResult. */
  function autocannon(opts: Options, cb: (err: Error | null, result: Result | RawResult) => void): Instance;
  namespace autocannon {
    function aggregateResult(results: RawResult[], opts: Options): Result;
  }

  export default autocannon;
  export type { Options, Result, RawResult, Histogram, Instance };
}
