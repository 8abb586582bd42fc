// Every queue in one place: its name, retry policy, schedule and handler. Handlers are idempotent:
// pg-boss delivers at least once, and a missed cron tick is caught up from the data on the next one.
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import { purgeExpired } from '../http/idempotency-store.ts';
import type { Services } from '../services.ts';
import type { WorkData } from './queue.ts';

export const TIME_ZONE = 'Europe/Stockholm';

export type JobDeps = { db: Db; clock: Clock; services: Pick<Services, 'billing' | 'testClocks' | 'paymentFiles'> };

export type QueueSpec = {
  name: string;
  retryLimit: number;
  retryDelay: number;
  expireInSeconds: number;
  // Pollers per process: a scheduled queue gets one job an hour and needs one; every poller is a
  // query each half second on the job pool's five connections, so they are not handed out freely.
  pollers: number;
  cron?: string;
  handler: (deps: JobDeps, data: Record<string, unknown>) => Promise<void>;
};

export const QUEUES: QueueSpec[] = [
  {
    // Idempotency keys live at least IDEMPOTENCY_TTL_HOURS; lookups already ignore expired rows,
    // so this only keeps the table small.
    name: 'idempotency-purge',
    retryLimit: 3,
    retryDelay: 60,
    expireInSeconds: 600,
    pollers: 1,
    cron: '17 * * * *',
    handler: async ({ db, clock }) => {
      await purgeExpired(db, clock.now());
    },
  },
  {
    // Bills whatever is due from the data, not from which ticks fired: a tick missed while no
    // worker ran is caught up by the next, and a re-run (an hour later, across a DST change)
    // finds nothing new. Also finishes runs and test-clock advances a crashed process left.
    name: 'billing-schedule',
    retryLimit: 5,
    retryDelay: 60,
    expireInSeconds: 3600,
    pollers: 1,
    cron: '5 * * * *',
    handler: async ({ services }) => {
      await services.billing.tick();
      await services.testClocks.resumeAdvancing();
    },
  },
  {
    // A run started through the API. Safe to run twice at once (batches lock with SKIP LOCKED).
    name: 'billing-run',
    retryLimit: 10,
    retryDelay: 5,
    expireInSeconds: 3600,
    pollers: 4,
    handler: async ({ services }, data) => {
      const { merchantId, runId } = data as WorkData['billing-run'];
      await services.billing.executeRun(merchantId, runId);
    },
  },
  {
    // A test clock's catch-up. Safe to run twice at once (each batch holds the clock's row lock).
    name: 'test-clock-advance',
    retryLimit: 10,
    retryDelay: 5,
    expireInSeconds: 3600,
    pollers: 4,
    handler: async ({ services }, data) => {
      const { merchantId, clockId } = data as WorkData['test-clock-advance'];
      await services.testClocks.catchUp(merchantId, clockId);
    },
  },
  {
    // A bank file's import. Safe to run twice at once (each batch holds the file's row lock) and
    // to resume after a crash (progress commits with each batch; bank keys make re-recording a no-op).
    name: 'payment-file-import',
    retryLimit: 10,
    retryDelay: 5,
    expireInSeconds: 3600,
    pollers: 2,
    handler: async ({ services }, data) => {
      const { merchantId, fileId } = data as WorkData['payment-file-import'];
      try {
        await services.paymentFiles.importFile(merchantId, fileId);
      } catch (err) {
        await services.paymentFiles.noteError(merchantId, fileId, err instanceof Error ? err.message : String(err)).catch(() => {});
        throw err;
      }
    },
  },
];
