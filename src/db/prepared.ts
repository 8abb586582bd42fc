// A drizzle prepared statement per db handle, built on first use. Named statements are parsed and
// planned once per connection, which matters on the hottest queries (key lookup, retrieval).
// Only for the pool: a statement prepared on `db` cannot run inside a transaction.
import type { Db } from './client.ts';

export function preparedPerDb<T>(prepare: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let statement = cache.get(db);
    if (statement === undefined) cache.set(db, (statement = prepare(db)));
    return statement;
  };
}
