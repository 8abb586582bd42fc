// The database benchmarks, each run small: they are not timed here (their figures are in the
// README), but a benchmark that no longer runs is found by the suite, not by the next person who
// measures. bench:billing stopped invoicing anything once seller settings became required, and
// nobody saw it for days. Each makes and drops its own database on the suite's server.
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function run(script: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`scripts/bench/${script}`, ...args], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // A hung benchmark is stopped (its own process group only) and reported with what it printed.
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, 150_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const cases: Array<{ script: string; args: string[]; checks: RegExp[] }> = [
  { script: 'billing.ts', args: ['--subscriptions', '300', '--batch', '100'], checks: [/check: .* ok/, /\| billing run .*\| \d/, /\| floor: /] },
  { script: 'payments.ts', args: ['--payments', '300', '--batch', '100', '--profile'], checks: [/check: .* ok/, /\| import .*\| \d/, /\| floor: /, /statements that took longest/] },
  { script: 'dunning.ts', args: ['--invoices', '300'], checks: [/check: .* ok/, /\| sweep \(daily\).*\| \d/, /\| floor: /] },
];

for (const c of cases) {
  t.test(`npm run bench:${c.script.replace('.ts', '')} -- ${c.args.join(' ')}`, async (t) => {
    const { code, out, err } = await run(c.script, c.args);
    const all = `${out}\n${err}`;
    t.equal(code, 0, `exits 0${code === 0 ? '' : `:\n${all.slice(-3000)}`}`);
    for (const re of c.checks) t.match(all, re, `prints ${re}`);
    t.notMatch(all, /MISMATCH|failed:/, 'no failed check');
  });
}
