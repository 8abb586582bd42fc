// One database per test file, cloned from the migrated template that scripts/test.ts prepared, and
// dropped when the file's tests end. Run a file alone with `npm test -- test/x.test.ts`.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/db/client.ts';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

export function urlFor(db: string): string {
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function freshDatabase(t: Teardown, opts: { poolMax?: number } = {}): Promise<Database & { url: string; name: string }> {
  const template = process.env.OMTANKE_TEST_TEMPLATE;
  if (!template || !process.env.DATABASE_URL) throw new Error('run tests through `npm test` (it prepares the template database)');
  const name = `omtanke_test_${randomBytes(5).toString('hex')}`;
  // Two files cloning at the same instant can collide on the template's lock: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin(`create database ${name} template ${template}`);
      break;
    } catch (e) {
      if (attempt >= 20 || !/being accessed by other users/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = urlFor(name);
  const database = createDatabase(url, { max: opts.poolMax ?? 25, onError: () => {} });
  t.teardown(async () => {
    await database.pool.end().catch(() => {});
    await admin(`drop database if exists ${name} with (force)`);
  });
  return { ...database, url, name };
}
