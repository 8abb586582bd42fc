// A real local HTTP receiver for webhook tests: answers from a script of responses and records
// every request it gets (headers, body, and the business time it arrived at).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { headers: IncomingHttpHeaders; body: string; at: Date; path: string };
export type Reply = { status: number; headers?: Record<string, string>; body?: string; hang?: boolean };

export async function startReceiver(t: { teardown(fn: () => unknown): void }, now: () => Date) {
  const received: Received[] = [];
  const script: Reply[] = [];
  let fallback: Reply = { status: 200, body: 'ok' };
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: now(), path: req.url ?? '/' });
      waiters.splice(0).forEach((w) => w());
      const r = script.shift() ?? fallback;
      if (r.hang) return; // never answers: the sender times out or dies first
      res.writeHead(r.status, r.headers ?? {});
      res.end(r.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r(undefined)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Replies for the next requests, in order; afterwards `always`. */
    respond: (...replies: Reply[]) => script.push(...replies),
    always: (r: Reply) => {
      fallback = r;
    },
    nextRequest: () => new Promise<void>((r) => waiters.push(r)),
  };
}
