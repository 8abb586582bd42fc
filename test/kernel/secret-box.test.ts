import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { generateKey, isSealed, keyId, needsReseal, open, parseKeyring, seal, sealedKeyId, SecretBoxError } from '../../src/kernel/secret-box.ts';

const A = Buffer.alloc(32, 1);
const B = Buffer.alloc(32, 2);
const a64 = A.toString('base64');
const b64 = B.toString('base64');
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

t.test('round trip, bound to its context', async (t) => {
  const ring = parseKeyring(a64);
  const sealed = seal(ring, secret, 'webhook_endpoints:mer_1:we_1');
  t.match(sealed, /^enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
  t.notOk(sealed.includes(secret) || sealed.includes(secret.slice(6)), 'the plaintext is not in the sealed value');
  t.ok(isSealed(sealed));
  t.notOk(isSealed(secret));
  t.equal(open(ring, sealed, 'webhook_endpoints:mer_1:we_1'), secret);
  t.not(seal(ring, secret, 'x'), seal(ring, secret, 'x'), 'a fresh IV every time');
  t.equal(open(ring, seal(ring, '', 'x'), 'x'), '', 'empty plaintext');
  t.equal(open(ring, seal(ring, 'å ä ö ✓', 'x'), 'x'), 'å ä ö ✓', 'UTF-8');
  t.throws(() => open(ring, sealed, 'webhook_endpoints:mer_1:we_2'), SecretBoxError, 'another record cannot open it');
  t.throws(() => open(ring, sealed), SecretBoxError, 'nor a value without context');
});

t.test('tampering is detected', async (t) => {
  const ring = parseKeyring(a64);
  const sealed = seal(ring, secret, 'ctx');
  const [prefix, payload] = [sealed.slice(0, sealed.lastIndexOf(':') + 1), sealed.slice(sealed.lastIndexOf(':') + 1)];
  const raw = Buffer.from(payload, 'base64url');
  for (const at of [0, 12, 20, raw.length - 1]) {
    const bad = Buffer.from(raw);
    bad[at]! ^= 0x01;
    t.throws(() => open(ring, prefix + bad.toString('base64url'), 'ctx'), /does not authenticate/, `bit flipped at byte ${at}`);
  }
  t.throws(() => open(ring, prefix + raw.subarray(0, 20).toString('base64url'), 'ctx'), SecretBoxError, 'truncated');
  t.throws(() => open(ring, prefix + raw.subarray(0, raw.length - 1).toString('base64url'), 'ctx'), SecretBoxError, 'one byte short');
  t.throws(() => open(ring, sealed.replace('enc:v1:', 'enc:v2:'), 'ctx'), /not a sealed value/);
  t.throws(() => open(ring, secret, 'ctx'), /not a sealed value/, 'plaintext is not opened silently');
});

t.test('a wrong or missing key cannot open, and says which key it needs', async (t) => {
  const sealed = seal(parseKeyring(a64), secret, 'ctx');
  const idA = keyId(A);
  t.throws(() => open(parseKeyring(b64), sealed, 'ctx'), new RegExp(`key ${idA}, which SECRETS_KEY does not list \\(it lists ${keyId(B)}\\)`));
  // The id names the key; a different key forged under the same id still fails to authenticate.
  const forged = sealed.replace(`:${idA}:`, `:${keyId(B)}:`);
  t.throws(() => open(parseKeyring(b64), forged, 'ctx'), /does not authenticate/);
});

t.test('rotation: the first key seals, every listed key opens', async (t) => {
  const old = parseKeyring(a64);
  const sealedOld = seal(old, secret, 'ctx');
  const rotated = parseKeyring(`${b64},${a64}`);
  t.equal(rotated.current, keyId(B), 'the first listed key is current');
  t.same(rotated.ids, [keyId(B), keyId(A)]);
  t.equal(open(rotated, sealedOld, 'ctx'), secret, 'values under the old key still open');
  t.ok(needsReseal(rotated, sealedOld), 'and are due to be sealed again');
  const resealed = seal(rotated, open(rotated, sealedOld, 'ctx'), 'ctx');
  t.equal(sealedKeyId(resealed), keyId(B));
  t.notOk(needsReseal(rotated, resealed));
  t.ok(needsReseal(rotated, secret), 'plaintext is due too');
  t.equal(open(parseKeyring(b64), resealed, 'ctx'), secret, 'after re-sealing, the old key can be dropped');
  t.throws(() => open(parseKeyring(b64), sealedOld, 'ctx'), SecretBoxError, 'what was not re-sealed needs the old key');
});

t.test('key formats: base64, base64url, unpadded, hex; separated by commas or spaces', async (t) => {
  const id = keyId(A);
  t.equal(parseKeyring(a64).current, id, 'base64');
  t.equal(parseKeyring(a64.replace(/=$/, '')).current, id, 'base64 without padding');
  t.equal(parseKeyring(A.toString('base64url')).current, id, 'base64url');
  t.equal(parseKeyring(A.toString('hex')).current, id, 'hex');
  t.equal(parseKeyring(A.toString('hex').toUpperCase()).current, id, 'HEX');
  t.same(parseKeyring(` ${b64} , ${a64}\n`).ids, [keyId(B), id], 'spaces and commas');
  t.same(parseKeyring(`${b64} ${A.toString('hex')}`).ids, [keyId(B), id], 'mixed formats');
  t.equal(keyId(A), createHash('sha256').update(A).digest('hex').slice(0, 8), 'key id: first 8 hex of SHA-256');
  const fresh = generateKey();
  t.equal(Buffer.from(fresh, 'base64').length, 32);
  t.equal(parseKeyring(fresh).ids.length, 1, 'generateKey output is accepted');
});

t.test('bad key lists are refused without echoing key material', async (t) => {
  const short = randomBytes(16).toString('base64');
  const cases: Array<[string, RegExp]> = [
    ['', /no key given/],
    [' , ', /no key given/],
    [short, /the key is not 32 bytes/],
    ['not-a-key', /the key is not 32 bytes/],
    [A.toString('hex').slice(2), /the key is not 32 bytes/],
    [`${a64},${short}`, /key 2 of 2 is not 32 bytes/],
    [`${a64},${A.toString('hex')}`, /key 2 of 2 is listed twice/],
  ];
  for (const [spec, msg] of cases) {
    try {
      parseKeyring(spec);
      t.fail(`accepted ${JSON.stringify(spec)}`);
    } catch (e) {
      t.ok(e instanceof SecretBoxError);
      t.match((e as Error).message, msg);
      t.notOk(spec.trim().length > 8 && (e as Error).message.includes(spec.split(',')[0]!.trim()), 'no key material in the message');
    }
  }
});
