// `npm run openapi` writes openapi/openapi.json from the route schemas; `npm run openapi:check`
// (CI) fails when the committed file differs from what the routes generate now. No database is
// needed: the app is built on a pool that points nowhere, and pg pools connect only when a query
// runs, which never happens here.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.ts';
import { createDatabase } from '../src/db/client.ts';
import { createLogger } from '../src/logger.ts';
import { fixedClock } from '../src/clock.ts';

export const OPENAPI_FILE = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));

/** The OpenAPI document the routes describe, as a plain JSON value. */
export async function generateOpenapi(): Promise<Record<string, unknown>> {
  const database = createDatabase('postgres://unused@127.0.0.1:1/none', { max: 1, onError() {} });
  const app = await buildApp({
    // Only the values that shape the document matter; none of these do.
    config: { BODY_LIMIT_BYTES: 1024 * 1024, RATE_LIMIT_PER_SECOND: 0, RATE_LIMIT_BURST: 1, IDEMPOTENCY_TTL_HOURS: 24, WEBHOOK_ALLOW_PRIVATE_URLS: false },
    database,
    clock: fixedClock('2026-01-01T00:00:00Z'),
    logger: createLogger('silent'),
  });
  try {
    await app.ready();
    // A JSON round trip drops undefined values and gives the same shape as the committed file.
    return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
  } finally {
    await app.close();
    await database.pool.end();
  }
}

/** The file's exact text: 2-space indent, trailing newline. */
export const formatOpenapi = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;

if (import.meta.main) {
  const check = process.argv.includes('--check');
  const text = formatOpenapi(await generateOpenapi());
  const rel = 'openapi/openapi.json';
  if (check) {
    const current = await readFile(OPENAPI_FILE, 'utf8').catch(() => undefined);
    if (current === undefined) {
      process.stderr.write(`${rel} is missing: run npm run openapi\n`);
      process.exit(1);
    }
    if (current !== text) {
      process.stderr.write(`${rel} is stale: run npm run openapi\n`);
      process.exit(1);
    }
    process.stdout.write(`${rel} is up to date\n`);
  } else {
    await mkdir(fileURLToPath(new URL('../openapi/', import.meta.url)), { recursive: true });
    await writeFile(OPENAPI_FILE, text);
    process.stdout.write(`wrote ${rel}\n`);
  }
}
