// Work that outlives a request (a billing run, a test clock's catch-up) starts one way: a pg-boss
// job sent on the transaction that decided it. The job exists exactly when that decision commits;
// a worker takes it after commit, outside any request, and a crashed worker's job is sent again
// by the start-up sweep (src/jobs/boss.ts), so interrupted work resumes by itself.
import type { PgBoss } from 'pg-boss';
import type { Tx } from '../db/client.ts';

export type WorkData = {
  'billing-run': { merchantId: string; runId: string };
  'test-clock-advance': { merchantId: string; clockId: string };
  'payment-file-import': { merchantId: string; fileId: string };
};
export type WorkQueue = keyof WorkData;

export type JobSender = {
  send<Q extends WorkQueue>(tx: Tx, queue: Q, data: WorkData[Q]): Promise<void>;
};

/** pg-boss writes the job on the transaction's own connection (its `db` option). */
function onTransaction(tx: Tx) {
  // drizzle keeps the transaction's pg client on its session; pg-boss needs only executeSql.
  const client = (tx as unknown as { session: { client: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } } }).session.client;
  return { executeSql: (text: string, values?: unknown[]) => client.query(text, values) as Promise<{ rows: any[] }> };
}

export function jobSender(boss: PgBoss): JobSender {
  return {
    async send(tx, queue, data) {
      await boss.send(queue, data, { db: onTransaction(tx) });
    },
  };
}

/** For operator scripts and benchmarks that run work inline and never start background work. */
export const noJobs: JobSender = {
  async send(_tx, queue) {
    throw new Error(`this process does not start background work (tried to send ${queue})`);
  },
};
