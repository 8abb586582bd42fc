// Object ids: a type prefix plus 26 characters that sort by creation time (ULID layout: 48 bits of
// milliseconds, 80 random bits, Crockford base32). Lists page by id, so time order is free.
// Wall-clock time is right here: ids are not business time and must not follow a test clock.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const ID_PREFIXES = {
  merchant: 'mer',
  apiKey: 'key',
  customer: 'cus',
  request: 'req',
  event: 'evt',
  webhookEndpoint: 'we',
  webhookAttempt: 'wha',
  product: 'prod',
  price: 'price',
  subscription: 'sub',
  subscriptionItem: 'si',
  invoice: 'in',
  invoiceItem: 'ii',
  creditNote: 'cn',
  billingRun: 'brun',
  testClock: 'clock',
  choiceChange: 'chc',
  payment: 'py',
  refund: 're',
  balanceTransaction: 'cbtxn',
  collectionAttempt: 'colatt',
  testCharge: 'ch',
  paymentFile: 'pf',
  template: 'tpl',
  dunningPolicy: 'dp',
  paymentPlan: 'pp',
  message: 'msg',
  peppolDelivery: 'ped',
  peppolTransmission: 'ptx',
  experiment: 'exp',
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

let lastMs = 0;
let lastRandom = new Uint8Array(10);

function encode(ms: number, random: Uint8Array): string {
  let out = '';
  let t = ms;
  for (let i = 9; i >= 0; i--) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  let bits = 0;
  let value = 0;
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** Monotonic within a process: ids made in the same millisecond still sort in creation order. */
function ulid(): string {
  const ms = Date.now();
  if (ms <= lastMs) {
    const next = new Uint8Array(lastRandom);
    for (let i = next.length - 1; i >= 0; i--) {
      next[i] = (next[i]! + 1) & 0xff;
      if (next[i] !== 0) break;
    }
    lastRandom = next;
    return encode(lastMs, next);
  }
  lastMs = ms;
  lastRandom = new Uint8Array(randomBytes(10));
  return encode(ms, lastRandom);
}

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${ulid()}`;
}

/** JSON-schema pattern for an id of one kind, used in route params and bodies. */
export function idPattern(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`;
}
