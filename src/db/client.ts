import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.ts';
import { assertOutsideUnitOfWork } from './unit-of-work.ts';

export type Db = NodePgDatabase<typeof schema>;
/** A drizzle handle that is either the pool-backed db or an open transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Queryable = Db | Tx;

export type Database = { pool: pg.Pool; db: Db };

export function createDatabase(url: string, opts: { max: number; onError: (err: Error) => void }): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max, connectionTimeoutMillis: 10_000 });
  // An idle client dying (for example the database restarting) must not crash the process.
  pool.on('error', opts.onError);
  // Every pool query (pool.query too) takes a connection here: refuse it inside a unit of work.
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  pool.connect = ((...args: unknown[]) => {
    assertOutsideUnitOfWork();
    return connect(...args);
  }) as typeof pool.connect;
  return { pool, db: drizzle(pool, { schema }) };
}
