// What every benchmark needs around its measurements: a throwaway database, one cleanup however the
// run ends, and request/response with the worker thread that generates or receives load.
import { randomBytes } from 'node:crypto';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import pg from 'pg';
import { runMigrations } from '../../src/db/migrate.ts';

export const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/** A numeric option; a bad one ends the process with status 2. */
export function num(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`--${name} must be a number ≥ ${min}\n`);
    process.exit(2);
  }
  return n;
}

export type Bench = {
  /** The benchmark database's connection string (it exists after create()). */
  readonly url: string;
  /** True once cleanup has begun: failures of pools and loops being torn down are expected then. */
  readonly cleaning: boolean;
  serverVersion(): Promise<string>;
  /** Creates and migrates the database; cleanup() drops it. */
  create(): Promise<void>;
  cleanup(): Promise<void>;
  /** Runs main, cleans up after a failure, and exits: 0 after a completed run, 1 after a failure. */
  run(main: () => Promise<void>): Promise<never>;
};

/**
 * A benchmark on a fresh `omtanke_bench_<random>` database on DATABASE_URL's server. cleanup() runs
 * `release` (the script's own apps, pools and threads) and then drops the database, once, whether
 * the run completes, fails or gets SIGINT/SIGTERM (then it exits 130).
 */
export function startBench(npmScript: string, release: () => Promise<void>): Bench {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    process.stderr.write(`DATABASE_URL is not set; run through \`npm run ${npmScript}\` (scripts/with-db.ts)\n`);
    process.exit(2);
  }
  const dbName = `omtanke_bench_${randomBytes(5).toString('hex')}`;
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  let created = false;
  let cleaning: Promise<void> | undefined;
  let signalled = false;

  async function admin(sql: string): Promise<pg.QueryResult> {
    const c = new pg.Client({ connectionString: adminUrl });
    c.on('error', () => {});
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end().catch(() => {});
    }
  }

  function cleanup(): Promise<void> {
    cleaning ??= (async () => {
      await release();
      if (created) {
        await admin(`drop database if exists ${dbName} with (force)`).then(
          () => say(`dropped database ${dbName}`),
          (e: unknown) => say(`could not drop database ${dbName}: ${String(e)}`),
        );
      }
    })();
    return cleaning;
  }

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      signalled = true;
      say(`${sig}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  return {
    url,
    get cleaning() {
      return cleaning !== undefined;
    },
    async serverVersion() {
      return String((await admin('show server_version')).rows[0]?.server_version ?? '?');
    },
    async create() {
      say(`creating database ${dbName}`);
      await admin(`create database ${dbName}`);
      created = true;
      await runMigrations(url);
    },
    cleanup,
    async run(main) {
      try {
        await main();
      } catch (e) {
        // After a signal the cleanup already runs (and ends the process); its fallout is no failure.
        if (signalled) await new Promise(() => {});
        say(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        await cleanup();
        process.exit(1);
      }
      process.exit(0);
    },
  };
}

export type RpcResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export type RpcWorker<Req extends { id: number }> = {
  ask<T>(req: Omit<Req, 'id'>): Promise<T>;
  terminate(): Promise<void>;
};

/** A worker thread that answers each `{ id, ... }` message with an RpcResponse of the same id. */
export function rpcWorker<Req extends { id: number }>(name: string, url: URL, options?: WorkerOptions): RpcWorker<Req> {
  const worker = new Worker(url, options);
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  worker.on('message', (m: RpcResponse) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  // A thread that dies must not leave its callers waiting.
  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`${name} exited (${code})`)));
  return {
    ask<T>(req: Omit<Req, 'id'>) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
        worker.postMessage({ ...req, id });
      });
    },
    async terminate() {
      await worker.terminate().catch(() => {});
    },
  };
}

/**
 * Where a run's database time goes: from now on, every query node-postgres sends (in this process)
 * is timed from send to result, grouped by its statement's opening text, until stop(). report()
 * prints the statements that took longest, with their count and total time. The time includes
 * building the query's parameters, which is the client's share of a statement.
 */
export function profileQueries(): { stop(): void; report(top?: number): void } {
  const stats = new Map<string, { n: number; ms: number }>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { text?: string } | undefined;
    const text = (typeof config === 'string' ? config : config?.text) ?? '?';
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
    const started = performance.now();
    const result = original.apply(this, args);
    const note = () => {
      const s = stats.get(key) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - started;
      stats.set(key, s);
    };
    if (result instanceof Promise) result.then(note, note);
    return result;
  };
  return {
    stop() {
      proto.query = original;
    },
    report(top = 12) {
      const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
      process.stdout.write(['', '| statement (opening) | calls | total (s) |', '|---|---:|---:|', ...rows.map(([k, v]) => `| \`${k.replaceAll('|', '\\|')}\` | ${v.n} | ${(v.ms / 1000).toFixed(2)} |`), ''].join('\n'));
    },
  };
}
