// Webhook receiver for scripts/bench/webhooks.ts, run in a worker thread so that receiving does not
// share an event loop with the delivery worker under test. One plain node:http server per endpoint
// (each on its own port, so each endpoint is its own origin, as real merchants' endpoints are); each
// answers 200 at once and records the first arrival (wall clock, ms) of every `webhook-id`, counting
// repeats as duplicates. POSTs to /floor only count (the floor loop measures its own latency).
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export type ReceiverData = { endpoints: number };

export type ReceiverStats = { distinct: number; received: number; duplicates: number; floor: number; perEndpoint: number[] };
export type ReceiverDump = { endpoints: { ids: string[]; at: number[]; duplicates: number }[] };

export type ReceiverRequest = { id: number; kind: 'ports' | 'stats' | 'dump' | 'close' };
export type ReceiverResponse =
  | { id: number; ok: true; result: number[] | ReceiverStats | ReceiverDump | null }
  | { id: number; ok: false; error: string };

const wallNow = () => performance.timeOrigin + performance.now();

type Seen = { first: Map<string, number>; duplicates: number; received: number };

const { endpoints } = workerData as ReceiverData;
const seen: Seen[] = [];
const servers: http.Server[] = [];
let floor = 0;

function serve(s: Seen): http.Server {
  const server = http.createServer((req, res) => {
    const at = wallNow();
    if (req.url === '/floor') {
      floor++;
    } else {
      s.received++;
      const id = req.headers['webhook-id'];
      if (typeof id === 'string') {
        if (s.first.has(id)) s.duplicates++;
        else s.first.set(id, at);
      }
    }
    // Read (and drop) the body before answering, as a real receiver verifying the signature would.
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 61_000;
  return server;
}

async function start(): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < endpoints; i++) {
    const s: Seen = { first: new Map(), duplicates: 0, received: 0 };
    const server = serve(s);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    seen.push(s);
    servers.push(server);
    ports.push((server.address() as { port: number }).port);
  }
  return ports;
}

const started = start();

function stats(): ReceiverStats {
  let distinct = 0;
  let received = 0;
  let duplicates = 0;
  for (const s of seen) {
    distinct += s.first.size;
    received += s.received;
    duplicates += s.duplicates;
  }
  return { distinct, received, duplicates, floor, perEndpoint: seen.map((s) => s.first.size) };
}

function dump(): ReceiverDump {
  return { endpoints: seen.map((s) => ({ ids: [...s.first.keys()], at: [...s.first.values()], duplicates: s.duplicates })) };
}

async function close(): Promise<null> {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  return null;
}

parentPort?.on('message', (msg: ReceiverRequest) => {
  const run = async () => {
    if (msg.kind === 'ports') return started;
    await started;
    if (msg.kind === 'stats') return stats();
    if (msg.kind === 'dump') return dump();
    return close();
  };
  run().then(
    (result) => parentPort!.postMessage({ id: msg.id, ok: true, result } satisfies ReceiverResponse),
    (e: unknown) => parentPort!.postMessage({ id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies ReceiverResponse),
  );
});
