// `npm test` after the type check: builds one migrated template database (our migrations plus
// pg-boss's schema), runs tap with each test file cloning its own database from it, drops the
// template, and prints one line "N passed, N failed" for CI, after the names of the tests that failed
// (CI prints only the tail of a long run: the failures must be where it looks).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { runMigrations } from '../src/db/migrate.ts';
import { TEST_SECRETS_KEY } from '../test/helpers/secrets-key.ts';

const base = process.env.DATABASE_URL;
if (!base) {
  process.stderr.write('DATABASE_URL is not set (run through `npm test`, which provides one)\n');
  process.exit(2);
}
const template = `omtanke_tpl_${randomBytes(4).toString('hex')}`;
const urlFor = (db: string) => {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
};

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const dropTemplate = () => admin((c) => c.query(`drop database if exists ${template} with (force)`)).catch(() => {});
// Interrupted (Ctrl-C, or output piped into `head`): still leave no template database behind.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => void dropTemplate().then(() => process.exit(130)));
}
process.stdout.on('error', () => {});

await admin((c) => c.query(`create database ${template}`));
let code = 1;
try {
  await runMigrations(urlFor(template));
  const boss = new PgBoss({ connectionString: urlFor(template), schema: 'pgboss', supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  await boss.stop({ graceful: false, close: true });

  const args = process.argv.slice(2);
  const counts = { pass: 0, fail: 0 };
  const failures: string[] = [];
  code = await new Promise<number>((resolve) => {
    const child = spawn('tap', ['--reporter=tap', ...args], {
      stdio: ['inherit', 'pipe', 'inherit'],
      // Every test seals with one fixed key, whatever the caller's (tests make their own databases).
      env: { ...process.env, OMTANKE_TEST_TEMPLATE: template, SECRETS_KEY: TEST_SECRETS_KEY },
    });
    let buf = '';
    // The path of subtest names down to each line: "# Subtest: x" opens one at its indentation.
    const path: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      if (process.stdout.writable) process.stdout.write(chunk);
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        // tap's closing summary, e.g. "# { total: 96, pass: 95, fail: 1 }", counts every assertion.
        const sub = /^( *)# Subtest: (.*)$/.exec(line);
        if (sub) path.splice((sub[1] ?? '').length / 4, Infinity, sub[2] ?? '');
        const notOk = /^( *)not ok \d+ - (.*)$/.exec(line);
        if (notOk && !/ # (TODO|SKIP)/.test(notOk[2] ?? '')) {
          const at = [...path.slice(0, (notOk[1] ?? '').length / 4), (notOk[2] ?? '').replace(/ # time=.*$/, '')].join(' > ');
          // Children report before their parent: a failing parent whose children failed adds nothing.
          if (!failures.some((f) => f.startsWith(`${at} > `))) failures.push(at);
        }
        const m = /^# \{ total: (\d+), pass: (\d+)/.exec(line);
        if (m) {
          counts.pass = Number(m[2]);
          counts.fail = Number(m[1]) - Number(m[2]);
        }
      }
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (failures.length > 0) process.stdout.write(`\nFailed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  process.stdout.write(`\n${counts.pass} passed, ${counts.fail} failed\n`);
} finally {
  await dropTemplate();
}
process.exit(code);
