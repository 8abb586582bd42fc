// Figures and the Markdown report of the benchmarks.
import os from 'node:os';

export const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));
export const yes = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'yes' : '**NO**');
export const round1 = (n: number) => Math.round(n * 10) / 10;

/** Nearest-rank quantile of ascending values (q = 1 is the max); undefined when there are none. */
export const quantile = (sorted: ArrayLike<number>, q: number): number | undefined =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/** Where a run ran, for its report heading and JSON line. */
export const benchEnv = (postgres: string) => ({
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? '?',
  postgres,
});

export const heading = (title: string, env: ReturnType<typeof benchEnv>) =>
  `### ${title} (${env.date.slice(0, 10)}, Node ${env.node}, PostgreSQL ${env.postgres}, ${env.cpus} × ${env.cpu})`;
