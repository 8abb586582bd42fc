// Webhook signing secrets are sealed at rest: the database never holds them in the clear, while the
// API shows and reveals them as before and deliveries are signed with the right ones. Plaintext
// rows from before keep working and get sealed; SECRETS_KEY rotates with `npm run secrets:rotate`.
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { call } from '../helpers/app.ts';
import { TEST_SECRETS_KEY } from '../helpers/secrets-key.ts';
import { webhookWorld, verifies } from './helpers.ts';
import { createWebhookService } from '../../src/modules/webhooks/service.ts';
import { createDeliveryWorker } from '../../src/modules/webhooks/delivery.ts';
import { createLogger } from '../../src/logger.ts';
import { systemClock } from '../../src/clock.ts';
import { generateKey, keyId, parseKeyring } from '../../src/kernel/secret-box.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const testKeyId = parseKeyring(TEST_SECRETS_KEY).current;

type World = Awaited<ReturnType<typeof webhookWorld>>;

async function stored(w: World, id: string) {
  const r = await w.database.pool.query<{ secret: string; previous_secret: string | null }>('select secret, previous_secret from webhook_endpoints where id = $1', [id]);
  return r.rows[0]!;
}

async function reveal(w: World, auth: Record<string, string>, id: string) {
  return (await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${id}/secret`, headers: auth })).json as { secret: string; previous_secret: string | null };
}

/** The same services and worker on the same database, under another SECRETS_KEY (another process after a key change). */
function under(w: World, secretsKey: string) {
  const webhooks = createWebhookService({ db: w.database.db, clock: w.clock, events: w.services.events, allowPrivateUrls: true, secretsKey });
  const worker = createDeliveryWorker({
    db: w.database.db,
    clock: w.clock,
    wall: systemClock,
    log: createLogger('silent'),
    webhooks,
    random: () => 0.5,
    config: { allowPrivateUrls: true, timeoutMs: 2000, connectTimeoutMs: 1000, concurrency: 10, perEndpoint: 5, pollMs: 1000 },
  });
  return { webhooks, worker };
}

function rotateScript(databaseUrl: string, secretsKey: string) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, ['scripts/secrets-rotate.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl, SECRETS_KEY: secretsKey } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

t.test('the column holds no secret, while the API shows and reveals it and deliveries verify', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  t.match(ep.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'creation shows the secret as before');
  const row = await stored(w, ep.id);
  t.match(row.secret, new RegExp(`^enc:v1:${testKeyId}:[A-Za-z0-9_-]+$`), 'stored sealed, naming its key');
  t.notOk(row.secret.includes(ep.secret.slice(6)), 'the secret is not in the column');
  t.notOk(row.secret.includes(Buffer.from(ep.secret.slice(6), 'base64').toString('hex')), 'not even as hex');
  const dump = await w.database.pool.query<{ t: string }>('select row_to_json(e)::text as t from webhook_endpoints e');
  t.notOk(dump.rows.some((r) => r.t.includes(ep.secret.slice(6))), 'nor anywhere in the row');
  t.equal((await reveal(w, m.auth, ep.id)).secret, ep.secret, 'GET …/secret reveals it');

  await w.customer(m);
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 1);
  t.ok(verifies(ep.secret, w.receiver.received[0]!), 'the delivery verifies with the revealed secret');

  const rotated = await call(w.app, { method: 'POST', url: `/v1/webhook-endpoints/${ep.id}/rotate-secret`, headers: m.auth, payload: { overlap_hours: 24 } });
  t.equal(rotated.status, 200);
  const fresh = rotated.json.secret as string;
  t.match(fresh, /^whsec_/, 'rotation shows the new secret');
  const after = await stored(w, ep.id);
  t.match(after.secret, /^enc:v1:/);
  t.match(after.previous_secret, /^enc:v1:/, 'the previous secret is sealed too');
  t.notOk(`${after.secret}${after.previous_secret}`.includes(fresh.slice(6)) || `${after.secret}${after.previous_secret}`.includes(ep.secret.slice(6)));
  t.same(await reveal(w, m.auth, ep.id), { secret: fresh, previous_secret: ep.secret, previous_secret_expires_at: '2026-11-26T09:00:00.000Z' });
  await w.customer(m, 'During');
  await w.worker.runOnce();
  const during = w.receiver.received[1]!;
  t.ok(verifies(fresh, during) && verifies(ep.secret, during), 'both secrets sign during the overlap');

  const list = await call(w.app, { method: 'GET', url: '/v1/webhook-endpoints', headers: m.auth });
  t.notOk(list.body.includes('enc:v1:') || list.body.includes('whsec_'), 'lists show neither the secret nor its sealed form');
});

t.test('a sealed secret is bound to its endpoint: copied onto another row, it does not open', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const a = await w.endpoint(m);
  const b = await w.endpoint(m);
  await w.database.pool.query('update webhook_endpoints set secret = (select secret from webhook_endpoints where id = $1) where id = $2', [a.id, b.id]);
  const r = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${b.id}/secret`, headers: m.auth });
  t.equal(r.status, 500, 'refused, not revealed');
  t.notOk(r.body.includes(a.secret) || r.body.includes('enc:v1:'), 'and nothing leaks in the error');
  t.equal((await reveal(w, m.auth, a.id)).secret, a.secret, 'the original still opens');
});

t.test('plaintext secrets from before encryption at rest keep working and are sealed at start-up', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  const plain = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
  const prev = 'whsec_' + Buffer.alloc(32, 8).toString('base64');
  // As a row written before this change looks: both secrets in the clear, mid-rotation.
  await w.database.pool.query("update webhook_endpoints set secret = $1, previous_secret = $2, previous_secret_expires_at = '2026-11-26T00:00:00Z' where id = $3", [plain, prev, ep.id]);
  t.same(await reveal(w, m.auth, ep.id), { secret: plain, previous_secret: prev, previous_secret_expires_at: '2026-11-26T00:00:00.000Z' }, 'read as they are');
  await w.customer(m);
  await w.worker.runOnce();
  t.ok(verifies(plain, w.receiver.received[0]!) && verifies(prev, w.receiver.received[0]!), 'and sign as before');

  const report = await w.services.webhooks.sealStoredSecrets('plaintext');
  t.same(report, { resealed: 1, failed: [] }, 'what main.ts runs at start-up');
  const row = await stored(w, ep.id);
  t.match(row.secret, /^enc:v1:/);
  t.match(row.previous_secret, /^enc:v1:/);
  t.notOk(`${row.secret}${row.previous_secret}`.includes(plain.slice(6)));
  t.same(await reveal(w, m.auth, ep.id), { secret: plain, previous_secret: prev, previous_secret_expires_at: '2026-11-26T00:00:00.000Z' }, 'the same secrets');
  t.same(await w.services.webhooks.sealStoredSecrets('plaintext'), { resealed: 0, failed: [] }, 'nothing left to seal');

  // A rotation through the API of a plaintext row seals the old secret as it becomes the previous one.
  await w.database.pool.query('update webhook_endpoints set secret = $1, previous_secret = null where id = $2', [plain, ep.id]);
  const rotated = await call(w.app, { method: 'POST', url: `/v1/webhook-endpoints/${ep.id}/rotate-secret`, headers: m.auth, payload: { overlap_hours: 1 } });
  t.equal(rotated.status, 200);
  t.match((await stored(w, ep.id)).previous_secret, /^enc:v1:/);
  t.equal((await reveal(w, m.auth, ep.id)).previous_secret, plain);
});

t.test('SECRETS_KEY rotation: a new key first, secrets:rotate re-seals everything, then the old key can go', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const one = await w.endpoint(m);
  const two = await w.endpoint(m);
  await call(w.app, { method: 'POST', url: `/v1/webhook-endpoints/${two.id}/rotate-secret`, headers: m.auth, payload: { overlap_hours: 24 } });
  const twoNow = await reveal(w, m.auth, two.id);
  const gone = await w.endpoint(m);
  await call(w.app, { method: 'DELETE', url: `/v1/webhook-endpoints/${gone.id}`, headers: m.auth });
  const legacy = await w.endpoint(m);
  const legacyPlain = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
  await w.database.pool.query('update webhook_endpoints set secret = $1 where id = $2', [legacyPlain, legacy.id]);

  const newKey = generateKey();
  const newId = keyId(Buffer.from(newKey, 'base64'));
  const both = `${newKey},${TEST_SECRETS_KEY}`;

  // Step 1: the new key first, the old one still listed. Old values open; new ones are sealed under the new key.
  const mid = under(w, both);
  t.equal(mid.webhooks.signingSecrets({ merchant_id: m.id, endpoint_id: one.id, ...(await stored(w, one.id)), previous_secret_expires_at: null }, w.clock.now())[0], one.secret);
  const three = await mid.webhooks.create({ merchantId: m.id, livemode: false }, { url: w.receiver.url });
  t.match((await stored(w, three.id)).secret, new RegExp(`^enc:v1:${newId}:`), 'new secrets are sealed under the first key');

  // Step 2: re-seal everything under the new key.
  const r = await rotateScript(w.database.url, both);
  t.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out.trim());
  t.equal(out.key_id, newId);
  t.equal(out.webhook_secrets_resealed, 4, 'one, two (and its previous secret), the deleted one and the plaintext one');
  t.same(out.failed, []);
  const rows = await w.database.pool.query<{ id: string; secret: string; previous_secret: string | null }>('select id, secret, previous_secret from webhook_endpoints');
  t.equal(rows.rows.length, 5);
  t.ok(
    rows.rows.every((x) => x.secret.startsWith(`enc:v1:${newId}:`) && (x.previous_secret === null || x.previous_secret.startsWith(`enc:v1:${newId}:`))),
    'every stored secret, previous ones and deleted endpoints included, is under the new key',
  );
  const again = await rotateScript(w.database.url, both);
  t.equal(JSON.parse(again.out.trim()).webhook_secrets_resealed, 0, 'a second run has nothing to do');

  // Step 3: the old key dropped. Everything still opens, reveals and signs.
  const only = under(w, newKey);
  t.same(await only.webhooks.revealSecret({ merchantId: m.id, livemode: false }, one.id), { secret: one.secret, previous_secret: null, previous_secret_expires_at: null });
  t.same(await only.webhooks.revealSecret({ merchantId: m.id, livemode: false }, two.id), twoNow, 'current and previous secret');
  t.equal((await only.webhooks.revealSecret({ merchantId: m.id, livemode: false }, legacy.id)).secret, legacyPlain, 'the plaintext one, now sealed');
  await w.customer(m);
  await only.worker.runOnce();
  t.teardown(() => only.worker.stop());
  const got = w.receiver.received;
  t.equal(got.length, 4, 'one delivery per enabled endpoint');
  const verifiedBy = (secret: string) => got.filter((g) => verifies(secret, g)).length;
  t.equal(verifiedBy(one.secret), 1);
  t.equal(verifiedBy(twoNow.secret), 1);
  t.equal(verifiedBy(twoNow.previous_secret!), 1, 'the overlap still signs with the previous secret');
  t.equal(verifiedBy(legacyPlain), 1);
  t.equal(verifiedBy(three.secret), 1);

  // Without the key a secret is sealed under, the script names what it could not open and exits 1.
  const stranger = generateKey();
  const bad = await rotateScript(w.database.url, stranger);
  t.equal(bad.code, 1);
  t.equal(JSON.parse(bad.out.trim()).failed.length, 5);
  t.match(bad.err, new RegExp(`not re-sealed: webhook endpoint we_\\w+ of ${m.id}: sealed with key ${newId}, which SECRETS_KEY does not list`));
  t.notOk(bad.err.includes(one.secret) || bad.err.includes(newKey), 'no secret or key in the output');
});

t.test('without SECRETS_KEY webhook secrets are never stored in the clear: using one fails', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const keyless = createWebhookService({ db: w.database.db, clock: w.clock, events: w.services.events, allowPrivateUrls: true });
  await t.rejects(keyless.create({ merchantId: m.id, livemode: false }, { url: w.receiver.url }), /SECRETS_KEY is not configured/);
  const n = await w.database.pool.query<{ n: number }>('select count(*)::int as n from webhook_endpoints');
  t.equal(n.rows[0]!.n, 0, 'nothing stored');
});
