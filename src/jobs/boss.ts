// pg-boss lifecycle: install into the `pgboss` schema of our database, ensure queues and
// schedules (createQueue does not change an existing queue, so updateQueue follows), run workers.
// Every process starts pg-boss, because every process may send jobs (an API request starting a
// billing run sends one in its transaction); only workers work them. LISTEN/NOTIFY wakes a worker
// the moment a sending transaction commits.
import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { QUEUES, TIME_ZONE, type JobDeps } from './registry.ts';
import { jobSender, type JobSender } from './queue.ts';

export type Jobs = { boss: PgBoss; sender: JobSender; stop: (timeoutMs: number) => Promise<void> };

export async function startJobs(opts: { url: string; log: Logger; schedule: boolean }): Promise<Jobs> {
  const boss = new PgBoss({
    connectionString: opts.url,
    schema: 'pgboss',
    max: 5,
    schedule: opts.schedule,
    supervise: opts.schedule,
    useListenNotify: true,
    application_name: 'omtanke-jobs',
  });
  boss.on('error', (err) => opts.log.error({ err }, 'pg-boss error'));
  await boss.start();
  for (const q of QUEUES) {
    const options = { retryLimit: q.retryLimit, retryDelay: q.retryDelay, retryBackoff: true, expireInSeconds: q.expireInSeconds, notify: true };
    await boss.createQueue(q.name, options);
    await boss.updateQueue(q.name, options);
    if (q.cron && opts.schedule) await boss.schedule(q.name, q.cron, {}, { tz: TIME_ZONE });
  }
  return {
    boss,
    sender: jobSender(boss),
    // graceful: running handlers finish (up to the timeout) before the pool closes.
    stop: (timeoutMs) => boss.stop({ graceful: true, timeout: timeoutMs, close: true }),
  };
}

/**
 * Works every queue in this process, then sends a job for any work a crashed process left
 * (runs not completed, clocks still advancing): it resumes within seconds of this start, not at
 * the next hourly tick. Sending twice is safe: every handler is idempotent.
 */
export async function startWorkers(jobs: Jobs, deps: JobDeps): Promise<void> {
  for (const q of QUEUES) {
    // One job per fetch, so one failure never fails another's job; several pollers on the queues
    // requests feed (q.pollers), because after a job a poller waits out its interval (NOTIFY only
    // wakes it for new jobs; with NOTIFY on, pg-boss would relax that interval to 30 s).
    await jobs.boss.work<Record<string, unknown>>(q.name, { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, batchSize: 1, localConcurrency: q.pollers }, async (batch) => {
      for (const job of batch) await q.handler(deps, job.data ?? {});
    });
  }
  await deps.services.billing.resumeInterrupted();
  await deps.services.testClocks.resumeAdvancing();
  await deps.services.paymentFiles.resumeInterrupted();
}
