// Applies migrations under a PostgreSQL advisory lock, so several processes starting at once apply
// each migration exactly once (drizzle's migrator takes no lock of its own).
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));
const MIGRATION_LOCK = 7_301_001; // arbitrary, fixed: the advisory-lock id of "running migrations"

/** Runs `fn` on one connection while holding the migration lock. */
export async function withMigrationLock<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await fn(client);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end().catch(() => {});
  }
}

export async function runMigrations(url: string): Promise<void> {
  await withMigrationLock(url, async (client) => {
    // Quieten "schema already exists" notices on every start.
    await client.query("set client_min_messages = 'warning'");
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  });
}
