// pg-boss lifecycle: install into the `pgboss` schema of our database, ensure queues and
// schedules (createQueue does not change an existing queue, so updateQueue follows), run workers.
import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { QUEUES, TIME_ZONE, type JobDeps } from './registry.ts';

export type Jobs = { boss: PgBoss; stop: (timeoutMs: number) => Promise<void> };

export async function startJobs(opts: { url: string; deps: JobDeps; log: Logger; work: boolean; schedule: boolean }): Promise<Jobs> {
  const boss = new PgBoss({
    connectionString: opts.url,
    schema: 'pgboss',
    max: 5,
    schedule: opts.schedule,
    supervise: opts.work,
    application_name: 'omtanke-jobs',
  });
  boss.on('error', (err) => opts.log.error({ err }, 'pg-boss error'));
  await boss.start();
  for (const q of QUEUES) {
    const options = { retryLimit: q.retryLimit, retryDelay: q.retryDelay, retryBackoff: true, expireInSeconds: q.expireInSeconds };
    await boss.createQueue(q.name, options);
    await boss.updateQueue(q.name, options);
    if (q.cron && opts.schedule) await boss.schedule(q.name, q.cron, {}, { tz: TIME_ZONE });
  }
  if (opts.work) {
    for (const q of QUEUES) {
      await boss.work<Record<string, unknown>>(q.name, { pollingIntervalSeconds: 1, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) await q.handler(opts.deps, job.data ?? {});
      });
    }
  }
  return {
    boss,
    // graceful: running handlers finish (up to the timeout) before the pool closes.
    stop: (timeoutMs) => boss.stop({ graceful: true, timeout: timeoutMs, close: true }),
  };
}
