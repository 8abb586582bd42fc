// Secrets at rest: AES-256-GCM under keys from configuration (SECRETS_KEY), so a copy of the
// database (a backup, a replica, a leaked dump) does not hold secrets we must be able to read
// back, such as webhook signing secrets. Pure: no I/O, no process.env.
//
// SECRETS_KEY lists one or more keys, each 32 random bytes written as base64 (44 characters, or
// 43 without the '=') or hex (64 characters), separated by commas or spaces. The first key seals;
// every listed key opens. A sealed value names its key by id (the first 8 hex digits of the
// key's SHA-256), so after a new key is put first, values sealed under the old one still open
// until they are sealed again (`npm run secrets:rotate`) and the old key can be dropped.
//
// Sealed value: `enc:v1:<key id>:<base64url of 12-byte IV ‖ ciphertext ‖ 16-byte tag>`. The key
// id and a context string (what the value belongs to, e.g. a table row) are authenticated as
// associated data, so a value copied onto another row, or with its key id changed, fails to open.
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^enc:v1:([0-9a-f]{8}):([A-Za-z0-9_-]+)$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Why a key list or a sealed value was refused; the message never contains key material. */
export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export type Keyring = {
  /** Id of the key that seals (the first listed). */
  readonly current: string;
  /** Ids of every key that opens, in the order listed. */
  readonly ids: readonly string[];
  readonly keys: ReadonlyMap<string, KeyObject>;
};

/** The id a sealed value carries: the first 8 hex digits of the key's SHA-256. */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** A fresh key in the format SECRETS_KEY takes (base64 of 32 random bytes). */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function decodeKey(text: string, position: number, count: number): Buffer {
  const which = count > 1 ? `key ${position} of ${count}` : 'the key';
  let bytes: Buffer | undefined;
  if (HEX_KEY.test(text)) bytes = Buffer.from(text, 'hex');
  else if (BASE64_KEY.test(text)) bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new SecretBoxError(`${which} is not 32 bytes written as base64 (44 characters) or hex (64 characters)`);
  }
  return bytes;
}

/** Parses SECRETS_KEY: one or more keys separated by commas or whitespace; the first seals. */
export function parseKeyring(spec: string): Keyring {
  const parts = spec.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) throw new SecretBoxError('no key given');
  const keys = new Map<string, KeyObject>();
  const ids: string[] = [];
  parts.forEach((part, i) => {
    const bytes = decodeKey(part, i + 1, parts.length);
    const id = keyId(bytes);
    if (keys.has(id)) throw new SecretBoxError(`key ${i + 1} of ${parts.length} is listed twice (key id ${id})`);
    keys.set(id, createSecretKey(bytes));
    bytes.fill(0);
    ids.push(id);
  });
  return { current: ids[0]!, ids, keys };
}

const aad = (id: string, context: string) => Buffer.from(`${PREFIX}${id}:${context}`, 'utf8');

/** Seals `plaintext` under the current key, bound to `context`. Each call uses a fresh random IV. */
export function seal(ring: Keyring, plaintext: string, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', ring.keys.get(ring.current)!, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(ring.current, context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${PREFIX}${ring.current}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** Whether a stored value is sealed (as opposed to a plaintext value from before encryption at rest). */
export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The id of the key a sealed value was sealed with, or undefined when it is not a sealed value. */
export function sealedKeyId(value: string): string | undefined {
  return SEALED.exec(value)?.[1];
}

/** Opens a sealed value with the key it names; throws when that key is not listed or the value was altered. */
export function open(ring: Keyring, sealed: string, context = ''): string {
  const m = SEALED.exec(sealed);
  if (!m) throw new SecretBoxError('not a sealed value');
  const [, id, payload] = m as unknown as [string, string, string];
  const key = ring.keys.get(id);
  if (!key) {
    throw new SecretBoxError(`sealed with key ${id}, which SECRETS_KEY does not list (it lists ${ring.ids.join(', ')})`);
  }
  const raw = Buffer.from(payload, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(id, context));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError(`sealed value under key ${id} does not authenticate (altered, or moved from another record)`);
  }
}

/** Whether a stored value should be sealed again: plaintext, or sealed under a key other than the current one. */
export function needsReseal(ring: Keyring, stored: string): boolean {
  return sealedKeyId(stored) !== ring.current;
}
