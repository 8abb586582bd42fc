import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { call } from '../helpers/app.ts';
import { webhookWorld } from './helpers.ts';
import { startReceiver } from '../helpers/receiver.ts';

const P = 'https://docs.omtanke.se/problems/';
const root = fileURLToPath(new URL('../..', import.meta.url));

t.test('SSRF: private, loopback, link-local and metadata targets are refused unless the switch is on', async (t) => {
  const w = await webhookWorld(t, { allowPrivateUrls: false });
  const m = await w.merchant();
  const live = await w.merchant('Live AB', true);
  const refused = [
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.7/hook',
    'http://172.16.3.4/hook',
    'http://192.168.1.10/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]:8080/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[fd00:ec2::254]/',
    'http://localhost:3000/hook',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://0.0.0.0/hook',
    'ftp://example.com/hook',
    'http://user:pass@example.com/hook',
  ];
  for (const url of refused) {
    const r = await call(w.app, { method: 'POST', url: '/v1/webhook-endpoints', headers: m.auth, payload: { url } });
    t.equal(r.status, 400, url);
    t.equal(r.json.type, P + 'invalid_webhook_url', url);
    t.equal(r.json.errors?.[0]?.field, 'url');
  }
  const http = await call(w.app, { method: 'POST', url: '/v1/webhook-endpoints', headers: live.auth, payload: { url: 'http://93.184.216.34/hook' } });
  t.equal(http.status, 400, 'live mode requires https');
  t.match(http.json.detail, /https/);
  const ok = await call(w.app, { method: 'POST', url: '/v1/webhook-endpoints', headers: m.auth, payload: { url: 'http://93.184.216.34/hook' } });
  t.equal(ok.status, 201, 'a public address is fine in test mode');
  const patch = await call(w.app, { method: 'PATCH', url: `/v1/webhook-endpoints/${ok.json.id}`, headers: m.auth, payload: { url: 'http://127.0.0.1/x' } });
  t.equal(patch.status, 400, 'checked on every save');
  const n = await w.database.pool.query("select count(*)::int as n from webhook_endpoints where url like '%127.0.0.1%'");
  t.equal(n.rows[0].n, 0, 'nothing refused was stored');
});

t.test('SSRF at delivery time: the address connected to is checked again', async (t) => {
  // The endpoint was saved while private targets were allowed; the worker does not allow them.
  const w = await webhookWorld(t, { allowPrivateUrls: true, workerAllowsPrivate: false });
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  const byName = await w.endpoint(m, { url: w.receiver.url.replace('127.0.0.1', 'localhost') });
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 0, 'the receiver was never reached');
  for (const id of [ep.id, byName.id]) {
    const a = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${id}/deliveries/${ev.id}/attempts`, headers: m.auth });
    t.equal(a.json.data[0].succeeded, false);
    t.match(a.json.data[0].error, /refused|EFORBIDDENADDRESS|loopback/i, a.json.data[0].error);
  }
});

t.test('a worker killed mid-delivery: after restart the event is delivered again with the same webhook-id', async (t) => {
  const w = await webhookWorld(t);
  w.clock.set(new Date()); // the spawned worker runs on the real clock
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  w.receiver.respond({ status: 200, hang: true }); // the first request never gets an answer
  const arrived = w.receiver.nextRequest();
  const child = spawn(process.execPath, ['src/main.ts', 'worker'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: w.database.url, WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_POLL_MS: '100', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.on('exit', r));
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 1500)); // let it start and LISTEN
  w.clock.set(new Date());
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await arrived;
  child.kill('SIGKILL'); // dies holding the lease, before it could record anything
  await exited;
  t.equal(w.receiver.received.length, 1);
  const before = await w.delivery(m, ep.id, ev.id);
  t.equal(before.status, 'pending', 'nothing recorded by the dead worker');
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 1, 'not while the lease holds');
  await new Promise((r) => setTimeout(r, 7500)); // the lease (2 × timeout + 5 s) runs out
  w.clock.set(new Date());
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 2, 'delivered again after the restart');
  t.equal(w.receiver.received[1]!.headers['webhook-id'], ev.id, 'with the same webhook-id');
  const after = await w.delivery(m, ep.id, ev.id);
  t.equal(after.status, 'delivered');
});

t.test('a slow endpoint does not delay another one', async (t) => {
  const w = await webhookWorld(t);
  w.clock.set(new Date());
  const m = await w.merchant();
  const slow = await w.endpoint(m, { url: w.receiver.url.replace('/hook', '/slow') });
  const fast = await startReceiver(t, () => w.clock.now());
  await w.endpoint(m, { url: fast.url });
  w.receiver.always({ status: 200, hang: true }); // the slow one never answers (2 s timeout)
  await w.worker.start(w.database.url); // the real loop: NOTIFY wake-ups and polling
  const started = Date.now();
  for (let i = 0; i < 30; i++) await w.customer(m, `C${i}`);
  while (fast.received.length < 30 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
  const took = Date.now() - started;
  t.equal(fast.received.length, 30, 'the fast endpoint got every event');
  t.ok(took < 1500, `promptly, while the slow one hangs (${took} ms)`);
  const inFlight = await w.database.pool.query(
    "select count(*)::int as n from webhook_deliveries where endpoint_id = $1 and lease_until > now()",
    [slow.id],
  );
  t.ok(inFlight.rows[0].n <= 10, `the slow endpoint holds at most its 10 slots (${inFlight.rows[0].n})`);
});
