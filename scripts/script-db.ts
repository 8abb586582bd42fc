// What a one-shot operator script needs: a usage error that exits 2, and the configured database,
// migrated, with a small pool.
import { loadConfig, ConfigError, type Config } from '../src/config.ts';
import { createDatabase, type Database } from '../src/db/client.ts';
import { runMigrations } from '../src/db/migrate.ts';

export const fail = (msg: string): never => {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
};

export async function openScriptDatabase(): Promise<Database & { config: Config }> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    return fail(e instanceof ConfigError ? e.message : String(e));
  }
  await runMigrations(config.DATABASE_URL);
  return { ...createDatabase(config.DATABASE_URL, { max: 2, onError: () => {} }), config };
}
