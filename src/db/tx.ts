// Unit of work. A use case calls `inTransaction(db, fn)`. When the HTTP layer has already opened a
// transaction for the request (idempotent POSTs: the stored response must commit with the work),
// the use case joins it through a savepoint instead of opening a second one on another connection.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Queryable, Tx } from './client.ts';

const ambient = new AsyncLocalStorage<Tx>();

export function runInAmbientTransaction<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  return ambient.run(tx, fn);
}

export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const outer = ambient.getStore();
  return outer ? outer.transaction(fn) : db.transaction(fn);
}


/** For a single atomic statement: the request's transaction when one is open, else the pool. */
export function currentQueryable(db: Db): Queryable {
  return ambient.getStore() ?? db;
}
