// `npm run webhooks:listen`: a local webhook receiver for development, in the spirit of
// `stripe listen`. It listens on a free local port, registers itself as a webhook endpoint of the
// merchant whose key it is given, verifies every delivery's Standard Webhooks signature with the
// published `standardwebhooks` package (not with our own signing code), prints the events, and
// removes its endpoint again when stopped (Ctrl-C / SIGTERM). With --forward-to it passes each
// verified delivery on, body and webhook-* headers unchanged, to your own handler and answers
// with your handler's status, so retries behave as they will in production.
//
// The API must accept a loopback URL: `npm start` on the embedded database does
// (WEBHOOK_ALLOW_PRIVATE_URLS defaults to true there); elsewhere set WEBHOOK_ALLOW_PRIVATE_URLS=true.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';

const USAGE = `usage: npm run webhooks:listen -- [options]
  --api <url>         the Omtanke API (default $OMTANKE_API_URL or http://localhost:3000)
  --key <sk_test_…>   API key (default $OMTANKE_API_KEY or $KEY)
  --events <a,b>      event types to subscribe to (default *)
  --port <n>          local port to listen on (default: a free one)
  --forward-to <url>  pass verified deliveries on to your handler and answer with its status
  --json              print each event as one JSON line on stdout
`;

type Options = { api: string; key: string; events: string[]; port: number; forwardTo: string | undefined; json: boolean };

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      api: { type: 'string' },
      key: { type: 'string' },
      events: { type: 'string' },
      port: { type: 'string' },
      'forward-to': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const key = values.key ?? process.env.OMTANKE_API_KEY ?? process.env.KEY;
  if (!key) fail('no API key: pass --key sk_test_… or set OMTANKE_API_KEY (or KEY, as the README tour does)');
  const port = Number(values.port ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not ${values.port}`);
  return {
    api: (values.api ?? process.env.OMTANKE_API_URL ?? 'http://localhost:3000').replace(/\/+$/, ''),
    key,
    events: (values.events ?? '*').split(',').map((e) => e.trim()).filter(Boolean),
    port,
    forwardTo: values['forward-to'],
    json: values.json ?? false,
  };
}

function fail(message: string): never {
  process.stderr.write(`webhooks:listen: ${message}\n`);
  process.exit(1);
}

const info = (message: string) => process.stderr.write(`${message}\n`);

async function api(opts: Options, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${opts.api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opts.key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { detail: text };
  }
  return { status: res.status, json };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The webhook-* headers as the sender set them (what a verifier and a forwarded handler need). */
function webhookHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

async function forward(url: string, body: string, headers: Record<string, string>): Promise<number> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body, redirect: 'manual' });
    await res.arrayBuffer();
    return res.status;
  } catch (e) {
    info(`  forward to ${url} failed: ${e instanceof Error ? e.message : String(e)}`);
    return 502;
  }
}

async function main() {
  const opts = options(process.argv.slice(2));
  let verifier: Webhook | undefined;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const body = await readBody(req);
    const headers = webhookHeaders(req);
    let event: any;
    try {
      if (!verifier) throw new Error('not registered yet');
      event = verifier.verify(body, headers);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      if (opts.json) process.stdout.write(`${JSON.stringify({ verified: false, webhook_id: headers['webhook-id'] ?? null, error: reason })}\n`);
      else process.stdout.write(`${new Date().toISOString()}  ✗ signature not valid (${reason}); webhook-id ${headers['webhook-id'] ?? '-'}\n`);
      res.writeHead(400, { 'content-type': 'text/plain' }).end('signature not valid');
      return;
    }
    const status = opts.forwardTo ? await forward(opts.forwardTo, body, headers) : 200;
    const object = event?.data?.object ?? {};
    if (opts.json) process.stdout.write(`${JSON.stringify({ verified: true, status, event })}\n`);
    else process.stdout.write(`${new Date().toISOString()}  ${event.type}  ${event.id}  ${object.id ?? ''}  [verified${opts.forwardTo ? `, forwarded: ${status}` : ''}]\n`);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'forward failed');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/webhooks`;

  const created = await api(opts, 'POST', '/v1/webhook-endpoints', {
    url,
    enabled_events: opts.events,
    description: `webhooks:listen (pid ${process.pid})`,
  }).catch((e: unknown) => fail(`cannot reach ${opts.api}: ${e instanceof Error ? e.message : String(e)} (is npm start running?)`));
  if (created.status !== 201) {
    server.close();
    const hint = created.json?.code === 'invalid_webhook_url' ? ' (the API must allow loopback URLs: WEBHOOK_ALLOW_PRIVATE_URLS=true)' : '';
    fail(`registering ${url} failed: ${created.status} ${created.json?.detail ?? ''}${hint}`);
  }
  const endpoint = created.json as { id: string; secret: string };
  verifier = new Webhook(endpoint.secret);
  info(`Ready. Listening on ${url} as webhook endpoint ${endpoint.id} for ${opts.events.join(', ')}`);
  info(`Signing secret: ${endpoint.secret}${opts.forwardTo ? `\nForwarding to ${opts.forwardTo}` : ''}`);
  info('Every delivery is verified (Standard Webhooks). Ctrl-C stops and removes the endpoint.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const removed = await api(opts, 'DELETE', `/v1/webhook-endpoints/${endpoint.id}`).catch(() => ({ status: 0, json: undefined }));
    info(removed.status === 200 ? `Removed webhook endpoint ${endpoint.id}.` : `Could not remove webhook endpoint ${endpoint.id} (${removed.status}); delete it yourself.`);
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
