// The embedded PostgreSQL of one checkout is never another's: each data directory has its own
// default port, and a server found on the port is reused only when its data directory is ours.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  EMBEDDED_PORT_COUNT,
  EMBEDDED_PORT_FIRST,
  defaultEmbeddedPort,
  embeddedDataDirs,
  runningDataDir,
  startEmbeddedPostgres,
} from '../../src/db/embedded.ts';
import { loadEmbeddedConfig } from '../../src/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The server the tests run on (the machine's PostgreSQL, or this checkout's embedded one).
const testServer = new URL(process.env.DATABASE_URL!);
const testPort = Number(testServer.port || 5432);

async function dataDirOfTestServer(): Promise<string> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
  } finally {
    await c.end();
  }
}

/** Only the test server's port matters; embedded.ts connects as postgres:postgres like it always does. */
const serverAnswersAsEmbedded = async () => (await runningDataDir(`postgres://postgres:postgres@127.0.0.1:${testPort}/postgres`)) !== undefined;
const needsServer = (await serverAnswersAsEmbedded()) ? {} : { skip: 'the test server does not accept postgres:postgres' };

t.test('each data directory gets its own stable default port in 54330–64329', async (t) => {
  const a = defaultEmbeddedPort('/home/anna/omtanke/.data/pg');
  const b = defaultEmbeddedPort('/home/bo/omtanke/.data/pg');
  t.not(a, b, 'two checkouts, two ports');
  t.equal(defaultEmbeddedPort('/home/anna/omtanke/.data/pg'), a, 'stable');
  t.equal(defaultEmbeddedPort('/home/anna/omtanke/.data/../.data/pg'), a, 'by the resolved path');
  const ports = Array.from({ length: 200 }, (_, i) => defaultEmbeddedPort(`/srv/checkout-${i}/.data/pg`));
  t.same(ports.filter((p) => p < EMBEDDED_PORT_FIRST || p >= EMBEDDED_PORT_FIRST + EMBEDDED_PORT_COUNT), [], 'all in range');
  t.ok(new Set(ports).size >= 195, `spread out: ${new Set(ports).size} distinct of 200`);
  t.not(a, 54329, 'not the old shared default');
});

t.test('EMBEDDED_PG_PORT is optional and still overrides', async (t) => {
  t.equal(loadEmbeddedConfig({}).EMBEDDED_PG_PORT, undefined, 'unset: derived from the data directory');
  t.equal(loadEmbeddedConfig({ EMBEDDED_PG_PORT: '55555' }).EMBEDDED_PG_PORT, 55555);
  t.throws(() => loadEmbeddedConfig({ EMBEDDED_PG_PORT: '80' }), /EMBEDDED_PG_PORT/);
});

t.test('a server whose data directory is not ours is refused, not reused', needsServer, async (t) => {
  const theirs = await dataDirOfTestServer();
  const project = mkdtempSync(join(tmpdir(), 'omtanke-other-checkout-'));
  t.teardown(() => rmSync(project, { recursive: true, force: true }));
  const logs: string[] = [];
  const err = await startEmbeddedPostgres({ projectDir: project, dataDir: '.data/pg', port: testPort, log: (m) => logs.push(m) }).then(
    () => undefined,
    (e: Error) => e,
  );
  t.ok(err, 'refused');
  t.match(err?.message, `port ${testPort}`, 'names the port');
  t.match(err?.message, theirs, 'names their data directory');
  t.match(err?.message, join(project, '.data/pg'), 'and ours');
  t.notOk(logs.some((l) => /reusing|listening|initialising/.test(l)), `nothing reused or started: ${logs.join(' | ')}`);
});

t.test('a server whose data directory is ours is reused (and not stopped by us)', needsServer, async (t) => {
  const ours = await dataDirOfTestServer();
  const logs: string[] = [];
  const db = await startEmbeddedPostgres({ projectDir: root, dataDir: ours, port: testPort, log: (m) => logs.push(m) });
  t.equal(db.reused, true);
  t.equal(db.port, testPort);
  await db.stop();
  t.ok(await serverAnswersAsEmbedded(), 'stopping a reused server leaves it running');
});

t.test('the data may live in the folder or its copy under the OS temp folder (root)', async (t) => {
  const [wanted, moved] = embeddedDataDirs('/work/x', '.data/pg');
  t.equal(wanted, '/work/x/.data/pg');
  t.match(moved!, new RegExp(`^${tmpdir()}/omtanke-pgdata-[0-9a-f]{12}$`));
  t.not(embeddedDataDirs('/work/y', '.data/pg')[1], moved, 'another checkout, another copy');
});

t.test('with-db fails with a clear message instead of borrowing another checkout’s server', needsServer, async (t) => {
  const other = mkdtempSync(join(tmpdir(), 'omtanke-other-data-'));
  t.teardown(() => rmSync(other, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, EMBEDDED_PG_PORT: String(testPort), EMBEDDED_PG_DIR: join(other, 'pg') };
  delete env.DATABASE_URL;
  const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, ['scripts/with-db.ts', process.execPath, '-e', 'console.log("RAN", process.env.DATABASE_URL)'], { cwd: root, env });
    let err = '';
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, err: err + out }));
  });
  t.equal(r.code, 1, r.err);
  t.match(r.err, new RegExp(`port ${testPort} is taken by a PostgreSQL whose data directory is `));
  t.match(r.err, /EMBEDDED_PG_PORT/);
  t.notMatch(r.err, /RAN/, 'the command never ran');
});
