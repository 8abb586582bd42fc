// The unit of work, explicit. A use case runs every query of a change on one transaction: the one
// its caller hands it in `caller.tx` (an idempotent request's, which must commit with the stored
// response, or an outer use case's), else one it opens itself. The transaction travels as an
// argument, never in async context, so work started after a request cannot inherit it.
//
// The pool is out of bounds inside a unit of work: a read through the pool there cannot see the
// transaction's own writes, and under load it waits for a connection that the waiting requests
// themselves hold (a pool deadlock). `createDatabase` wires `assertOutsideUnitOfWork` into the
// pool, so such a read fails at once, in tests and in production alike, instead of hanging.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tenant } from '../kernel/tenant.ts';
import type { Db, Queryable, Tx } from './client.ts';

/** What a use case may be handed: the transaction to run on, when its caller has one open. */
export type Work = { readonly tx?: Tx | undefined };
/** Who a use case acts for, and the transaction it joins (if any). */
export type Caller = Tenant & Work;

// Only a detector: it marks "inside a unit of work" for the pool's guard and carries nothing.
const inside = new AsyncLocalStorage<true>();

export class PoolUsedInsideUnitOfWork extends Error {
  constructor() {
    super('a query used the connection pool inside a unit of work; pass the transaction (caller.tx) down instead');
  }
}

export function assertOutsideUnitOfWork(): void {
  if (inside.getStore()) throw new PoolUsedInsideUnitOfWork();
}

/** Opens a transaction of its own on the pool; `fn` must run every query on `tx`. */
export function openTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction((tx) => inside.run(true, () => fn(tx)));
}

/**
 * Runs `fn` on the caller's transaction when it has one (no savepoint: a failed use case fails its
 * whole request, which then rolls back), else on a transaction of its own.
 */
export function inTransaction<T>(db: Db, work: Work, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return work.tx ? fn(work.tx) : openTransaction(db, fn);
}

/** Where a read or a single self-contained statement runs: the caller's transaction, else the pool. */
export function queryableFor(db: Db, work: Work): Queryable {
  return work.tx ?? db;
}
