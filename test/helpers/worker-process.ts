// A real `node src/main.ts worker` process for crash tests: started on a test database, killed
// (SIGKILL, as a deploy or an out-of-memory kill would) or stopped by pid, never by a pattern.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_SECRETS_KEY } from './secrets-key.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type WorkerProcess = { child: ChildProcess; exited: Promise<unknown> };

/** Starts workers on demand; any still running when the test ends are killed. */
export function workerProcesses(t: { teardown(fn: () => unknown): void }, databaseUrl: string, env: Record<string, string> = {}) {
  const running = new Set<ChildProcess>();
  t.teardown(() => running.forEach((w) => w.kill('SIGKILL')));
  return function worker(): WorkerProcess {
    const child = spawn(process.execPath, ['src/main.ts', 'worker'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, SECRETS_KEY: TEST_SECRETS_KEY, BOOTSTRAP_DEV_MERCHANT: 'false', LOG_LEVEL: 'warn', ...env },
      stdio: 'ignore',
    });
    running.add(child);
    const exited = new Promise((r) => child.on('exit', (code, signal) => (running.delete(child), r(signal ?? code))));
    return { child, exited };
  };
}
