// Finds (and stops) the processes a CI step of this checkout left behind, and never anyone else's:
// the machine is shared with other checkouts (and a checkout with other people's runs), so nothing
// is judged by a generic pattern, nor by a working directory or command line alone.
//
//   node .ci/own-processes.ts snapshot > before      every process now (pid and start time)
//   OMTANKE_CI_TOKEN=<token> setsid <step> &          the step, marked, in a group of its own
//   node .ci/own-processes.ts find --since before --pgid N --token <token>
//   node .ci/own-processes.ts stop --since before --pgid N --token <token>
//
// A process is the step's when it was not running at the snapshot and it is in process group N
// (the step's own, from setsid) or carries the step's token in its environment: children inherit
// it. PostgreSQL's backends leave the group (each starts a session of its own) and overwrite their
// environment with their process title, so a new process working in our embedded PostgreSQL's data
// directory is the step's too, when its parent is, or when it was orphaned (adopted by a process
// older than the step): a server of this checkout that someone else started keeps its backends.
// `find` prints one line per process: pid, why, working directory, command line (tab-separated),
// and says where it lives (inside this checkout, or its embedded PostgreSQL's data directory).
// `stop` sends SIGTERM to those, waits up to 5 s, then SIGKILL to the same processes still there.
import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadEmbeddedConfig } from '../src/config.ts';
import { embeddedDataDirs } from '../src/db/embedded.ts';

type Proc = { pid: number; ppid: number; pgid: number; state: string; start: string; cwd: string | undefined; args: string[]; token: string | undefined };

const TOKEN_VAR = 'OMTANKE_CI_TOKEN';
const root = realpathSync(fileURLToPath(new URL('..', import.meta.url)));

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let cwd: string | undefined;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      cwd = undefined; // another user's process, or gone
    }
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    let token: string | undefined;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      token = env.find((e) => e.startsWith(`${TOKEN_VAR}=`))?.slice(TOKEN_VAR.length + 1);
    } catch {
      token = undefined; // another user's process: not ours to judge
    }
    return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), start: f[19]!, cwd, args, token };
  } catch {
    return undefined;
  }
}

function all(): Proc[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => readProc(Number(n)))
    .filter((p): p is Proc => p !== undefined);
}

const key = (p: Proc) => `${p.pid}:${p.start}`;

function ancestors(procs: Proc[]): Set<number> {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid); pid = byPid.get(pid)?.ppid ?? 0) out.add(pid);
  return out;
}

function ourDirs(): string[] {
  const dirs = new Set([root]);
  for (const d of embeddedDataDirs(root, loadEmbeddedConfig().EMBEDDED_PG_DIR)) {
    dirs.add(d);
    try {
      dirs.add(realpathSync(d));
    } catch {
      // not there (never created on this machine)
    }
  }
  return [...dirs];
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
// A command-line argument mentions a folder inside ours (also as --import=file:///…/x.ts).
const mentions = (arg: string, dir: string) => arg.endsWith(dir) || arg.includes(`${dir}/`);

function find(opts: { since: Set<string>; pgid: number | undefined; token: string | undefined }): Array<{ p: Proc; why: string }> {
  const procs = all();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const mine = ancestors(procs); // this process and the CI script that runs it
  const dirs = ourDirs();
  const dataDirs = dirs.slice(1);
  const fresh = procs.filter((p) => !mine.has(p.pid) && !opts.since.has(key(p)) && p.state !== 'Z' && p.args.length > 0);
  const why = new Map<number, string>();
  for (const p of fresh) {
    if (opts.pgid !== undefined && p.pgid === opts.pgid) why.set(p.pid, `process group ${opts.pgid}`);
    else if (opts.token !== undefined && p.token === opts.token) why.set(p.pid, `${TOKEN_VAR} of this step`);
  }
  const inData = (p: Proc | undefined) => !!p?.cwd && dataDirs.some((d) => inside(p.cwd!, d));
  for (const p of fresh) {
    if (why.has(p.pid) || !inData(p)) continue;
    const parent = byPid.get(p.ppid);
    if (why.has(p.ppid)) why.set(p.pid, `child of ${p.ppid}, in our PostgreSQL's data directory`);
    // Orphaned: adopted by init (or a subreaper), which was running before the step began.
    else if (parent && opts.since.has(key(parent)) && !inData(parent)) why.set(p.pid, 'orphan in our PostgreSQL\'s data directory');
  }
  return fresh
    .filter((p) => why.has(p.pid))
    .map((p) => {
      const where = p.cwd && dirs.some((d) => inside(p.cwd!, d)) ? 'in this checkout' : p.args.some((a) => dirs.some((d) => mentions(a, d))) ? 'runs from this checkout' : 'elsewhere';
      return { p, why: `${why.get(p.pid)}, ${where}` };
    });
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { since: { type: 'string' }, pgid: { type: 'string' }, token: { type: 'string' } },
});
const mode = positionals[0];
const since = new Set(values.since ? readFileSync(values.since, 'utf8').split('\n').filter(Boolean) : []);
const pgid = values.pgid ? Number(values.pgid) : undefined;
const token = values.token || undefined;
const line = (x: { p: Proc; why: string }) => `${x.p.pid}\t${x.why}\t${x.p.cwd ?? '?'}\t${x.p.args.join(' ').slice(0, 200)}\n`;

if (mode === 'snapshot') {
  process.stdout.write(all().map((p) => `${key(p)}\n`).join(''));
} else if (mode === 'find') {
  process.stdout.write(find({ since, pgid, token }).map(line).join(''));
} else if (mode === 'stop') {
  const first = find({ since, pgid, token });
  for (const x of first) {
    process.stderr.write(`stopping ${line(x)}`);
    try {
      process.kill(x.p.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const targets = new Set(first.map((x) => key(x.p)));
  const still = () => all().filter((p) => targets.has(key(p)) && p.state !== 'Z');
  for (let i = 0; i < 50 && still().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  for (const p of still()) {
    process.stderr.write(`killing ${p.pid} (did not stop on SIGTERM)\n`);
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
} else {
  process.stderr.write('usage: node .ci/own-processes.ts snapshot | find|stop [--since FILE] [--pgid N] [--token T]\n');
  process.exit(2);
}
