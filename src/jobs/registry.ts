// Every queue in one place: its name, retry policy, schedule and handler. Handlers are idempotent:
// pg-boss delivers at least once, and a missed cron tick is caught up from the data on the next one.
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import { purgeExpired } from '../http/idempotency-store.ts';

export const TIME_ZONE = 'Europe/Stockholm';

export type JobDeps = { db: Db; clock: Clock };

export type QueueSpec = {
  name: string;
  retryLimit: number;
  retryDelay: number;
  expireInSeconds: number;
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
    cron: '17 * * * *',
    handler: async ({ db, clock }) => {
      await purgeExpired(db, clock.now());
    },
  },
];
