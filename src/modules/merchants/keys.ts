// API key secrets: `sk_test_` / `sk_live_` + 40 base62 characters (238 random bits). The prefix makes
// a leaked key recognisable to secret scanners; only the SHA-256 hash is ever stored.
import { createHash, randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SECRET_PATTERN = /^sk_(test|live)_[0-9A-Za-z]{40}$/;

export function generateSecret(livemode: boolean): string {
  let body = '';
  for (let i = 0; i < 40; i++) body += BASE62[randomInt(62)];
  return `sk_${livemode ? 'live' : 'test'}_${body}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What we show of a key after creation: its mode and last four characters. */
export function redactSecret(secret: string): string {
  return `${secret.slice(0, 8)}…${secret.slice(-4)}`;
}
