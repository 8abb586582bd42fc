// Where SECRETS_KEY comes from: the caller's environment (required by the app and the operator
// scripts), or, for the embedded database only, .data/secrets.key made once by scripts/with-db.ts.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { generateKey, parseKeyring } from '../../src/kernel/secret-box.ts';
import { runningDataDir } from '../../src/db/embedded.ts';
import { LOCAL_SECRETS_KEY_FILE, localSecretsKey } from '../../scripts/local-secrets-key.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = { DATABASE_URL: 'postgres://x@127.0.0.1/x' };

function run(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
}

t.test('config: SECRETS_KEY is required and checked, and never echoed', async (t) => {
  t.throws(() => loadConfig(base), /SECRETS_KEY is required: one or more keys of 32 random bytes, base64 or hex/);
  t.throws(() => loadConfig({}), /DATABASE_URL is required; SECRETS_KEY is required/, 'each missing variable named');
  const short = Buffer.alloc(16, 5).toString('base64');
  try {
    loadConfig({ ...base, SECRETS_KEY: short });
    t.fail('accepted a 16-byte key');
  } catch (e) {
    t.ok(e instanceof ConfigError);
    t.match((e as Error).message, /SECRETS_KEY is not valid: the key is not 32 bytes/);
    t.notOk((e as Error).message.includes(short), 'the value is not in the message');
  }
  const k1 = generateKey();
  const k2 = Buffer.alloc(32, 3).toString('hex');
  t.equal(loadConfig({ ...base, SECRETS_KEY: `${k1},${k2}` }).SECRETS_KEY, `${k1},${k2}`, 'a list, base64 and hex');
  t.throws(() => loadConfig({ ...base, SECRETS_KEY: `${k1},${k1}` }), /SECRETS_KEY is not valid: key 2 of 2 is listed twice/);
});

t.test('the app refuses to start without SECRETS_KEY, naming it', async (t) => {
  const r = await run(['src/main.ts', 'migrate'], { ...envWithout('SECRETS_KEY'), DATABASE_URL: process.env.DATABASE_URL });
  t.equal(r.code, 2);
  t.match(r.err, /invalid configuration: SECRETS_KEY is required/);
});

t.test('localSecretsKey: made once, mode 0600, then read back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'omtanke-key-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, '.data', 'secrets.key');
  const first = localSecretsKey(file);
  t.equal(first.created, true);
  t.equal(parseKeyring(first.key).ids.length, 1, 'a valid key');
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
  t.equal(readFileSync(file, 'utf8').trim(), first.key);
  const second = localSecretsKey(file);
  t.same(second, { key: first.key, created: false }, 'the same key next time');
  t.equal(LOCAL_SECRETS_KEY_FILE, '.data/secrets.key');
  const broken = join(dir, 'broken.key');
  rmSync(broken, { force: true });
  await import('node:fs').then((fs) => fs.writeFileSync(broken, 'nope\n'));
  t.throws(() => localSecretsKey(broken), /broken\.key does not hold a valid SECRETS_KEY/);
});

// with-db against the test server pretending to be this checkout's embedded one (same port and
// data directory), so nothing is started: only the environment it hands the child is looked at.
const testPort = Number(new URL(process.env.DATABASE_URL!).port || 5432);
const asEmbedded = await runningDataDir(`postgres://postgres:postgres@127.0.0.1:${testPort}/postgres`);

t.test('with-db hands the child a key only for the embedded database', { skip: asEmbedded ? false : 'the test server does not accept postgres:postgres' }, async (t) => {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  const dataDir = (await c.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
  await c.end();
  const printKey = [process.execPath, '-e', 'process.stdout.write(String(process.env.SECRETS_KEY))'];
  const embedded = { ...envWithout('DATABASE_URL', 'SECRETS_KEY'), EMBEDDED_PG_PORT: String(testPort), EMBEDDED_PG_DIR: dataDir };

  const made = await run(['scripts/with-db.ts', ...printKey], embedded);
  t.equal(made.code, 0, made.err);
  t.match(made.err, /reusing the embedded PostgreSQL/);
  const onDisk = readFileSync(join(root, LOCAL_SECRETS_KEY_FILE), 'utf8').trim();
  t.equal(made.out, onDisk, `the embedded database's key is ${LOCAL_SECRETS_KEY_FILE}`);
  t.equal(statSync(join(root, LOCAL_SECRETS_KEY_FILE)).mode & 0o777, 0o600);
  t.equal((await run(['scripts/with-db.ts', ...printKey], embedded)).out, onDisk, 'and stays the same');

  const own = generateKey();
  t.equal((await run(['scripts/with-db.ts', ...printKey], { ...embedded, SECRETS_KEY: own })).out, own, "the caller's key wins");

  const external = { ...envWithout('SECRETS_KEY'), DATABASE_URL: process.env.DATABASE_URL };
  t.equal((await run(['scripts/with-db.ts', ...printKey], external)).out, 'undefined', 'a database of your own: no key is made up for it');
});
