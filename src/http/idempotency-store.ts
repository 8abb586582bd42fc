import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/client.ts';
import { idempotencyKeys } from './idempotency-schema.ts';

export type StoredResponse = typeof idempotencyKeys.$inferSelect;

/**
 * Held until the transaction ends (keys are printable ASCII without spaces, so the space separates). A second request with the same key cannot take it while the
 * first runs (409); once the first commits, the second sees its stored response.
 */
export async function tryLockKey(tx: Tx, merchantId: string, key: string): Promise<boolean> {
  const res = await tx.execute<{ locked: boolean }>(
    sql`select pg_try_advisory_xact_lock(hashtextextended(${merchantId + ' ' + key}, 0)) as locked`,
  );
  return res.rows[0]?.locked === true;
}

export async function findLiveResponse(q: Queryable, merchantId: string, key: string, now: Date): Promise<StoredResponse | undefined> {
  const [row] = await q
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key), gt(idempotencyKeys.expiresAt, now)));
  return row;
}

/** Replaces an expired row with the same key, which the lock makes safe. */
export async function saveResponse(q: Queryable, row: StoredResponse): Promise<void> {
  await q
    .insert(idempotencyKeys)
    .values(row)
    .onConflictDoUpdate({
      target: [idempotencyKeys.merchantId, idempotencyKeys.key],
      set: {
        fingerprint: row.fingerprint,
        statusCode: row.statusCode,
        body: row.body,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
      },
    });
}

/** Deletes expired rows in bounded batches so a large backlog never holds a long lock. */
export async function purgeExpired(q: Queryable, now: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await q.execute(sql`
      delete from ${idempotencyKeys} where ctid in (
        select ctid from ${idempotencyKeys} where ${lt(idempotencyKeys.expiresAt, now)} limit ${batch})`);
    total += res.rowCount ?? 0;
    if ((res.rowCount ?? 0) < batch) return total;
  }
}
