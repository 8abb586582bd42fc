import t from 'tap';
import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateSecret, sign, signatureHeaders } from '../../src/modules/webhooks/signature.ts';

// Verification is done with the published `standardwebhooks` package, not with our
// own code, so these tests prove interoperability rather than self-consistency.
// It rejects timestamps more than five minutes from its clock, so sign with "now".
const now = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_123', amount: 12_500, note: 'Räksmörgås ✓' } });
const msgId = 'msg_2x7Yq1Zk9';

t.test('generateSecret', async (t) => {
  const a = generateSecret();
  t.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ + base64 of 32 bytes');
  t.equal(Buffer.from(a.slice('whsec_'.length), 'base64').length, 32);
  t.not(generateSecret(), a, 'random');
});

t.test('sign matches a known vector', async (t) => {
  // Computed here from the definition, with a fixed key, so the format is pinned
  // independently of the reference library.
  const key = Buffer.alloc(32, 7);
  const secret = `whsec_${key.toString('base64')}`;
  const expected = createHmac('sha256', key).update(`${msgId}.1700000000.${body}`).digest('base64');
  t.equal(sign(secret, msgId, 1_700_000_000, body), `v1,${expected}`);
  // The reference library signs the same bytes the same way.
  t.equal(sign(secret, msgId, 1_700_000_000, body), new Webhook(secret).sign(msgId, new Date(1_700_000_000_000), body));
});

t.test('the reference verifier accepts our headers', async (t) => {
  const secret = generateSecret();
  const ts = now();
  const headers = signatureHeaders([secret], msgId, ts, body);
  t.same(Object.keys(headers).sort(), ['webhook-id', 'webhook-signature', 'webhook-timestamp']);
  t.equal(headers['webhook-id'], msgId);
  t.equal(headers['webhook-timestamp'], String(ts));
  t.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);
  t.same(new Webhook(secret).verify(body, headers), JSON.parse(body), 'verified and parsed');
  t.same(new Webhook(secret).verify(Buffer.from(body), headers), JSON.parse(body), 'as the raw bytes a receiver sees');
});

t.test('rotation: two signatures, either secret verifies', async (t) => {
  const current = generateSecret();
  const previous = generateSecret();
  const headers = signatureHeaders([current, previous], msgId, now(), body);
  const parts = (headers['webhook-signature'] ?? '').split(' ');
  t.equal(parts.length, 2, 'space-separated, one per secret');
  t.ok(parts.every((p) => p.startsWith('v1,')));
  t.same(new Webhook(current).verify(body, headers), JSON.parse(body), 'receiver already on the new secret');
  t.same(new Webhook(previous).verify(body, headers), JSON.parse(body), 'receiver still on the old secret');
  t.throws(() => new Webhook(generateSecret()).verify(body, headers), WebhookVerificationError, 'a third secret fails');
});

t.test('the reference verifier rejects what it should', async (t) => {
  const secret = generateSecret();
  const ts = now();
  const headers = signatureHeaders([secret], msgId, ts, body);
  const verify = (payload: string, h: Record<string, string>, s = secret) => () => new Webhook(s).verify(payload, h);

  t.throws(verify(body, headers, generateSecret()), WebhookVerificationError, 'wrong secret');
  t.throws(verify(body.replace('12500', '12501'), headers), WebhookVerificationError, 'tampered body');
  t.throws(verify(`${body} `, headers), WebhookVerificationError, 'one extra byte');
  t.throws(verify(body, { ...headers, 'webhook-id': 'msg_other' }), WebhookVerificationError, 'different id');
  t.throws(verify(body, { ...headers, 'webhook-timestamp': String(ts + 1) }), WebhookVerificationError, 'different timestamp');
  // The timestamp is signed, so a replay can't be freshened; a stale one is refused.
  const stale = signatureHeaders([secret], msgId, ts - 600, body);
  t.throws(verify(body, stale), WebhookVerificationError, 'older than the tolerance');
});

t.test('bad input is a programming error', async (t) => {
  const secret = generateSecret();
  for (const bad of ['', 'whsec_', 'sk_abc', secret.slice('whsec_'.length), 'whsec_not base64!', 'whsec_abc']) {
    t.throws(() => sign(bad, msgId, now(), body), RangeError, `secret ${JSON.stringify(bad)}`);
  }
  for (const id of ['', 'msg.1', 'msg 1', 'msg\n1', 'msgå']) {
    t.throws(() => sign(secret, id, now(), body), RangeError, `msgId ${JSON.stringify(id)}`);
  }
  for (const ts of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    t.throws(() => sign(secret, msgId, ts, body), RangeError, `timestamp ${ts}`);
  }
  t.throws(() => signatureHeaders([], msgId, now(), body), RangeError, 'no secrets');
});
