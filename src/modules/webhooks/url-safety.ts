// Guards against server-side request forgery through merchant-supplied webhook URLs.
// A URL is checked twice: once when it is saved (checkWebhookUrl, for a helpful error)
// and again on every delivery, at the address actually connected to (safeLookup for
// host names, forbiddenLiteral for IP literals). The second check is the one that
// matters: DNS can change between the two (DNS rebinding).
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export type UrlPolicy = {
  // Only for tests and self-hosted setups whose receivers live on a private network.
  allowPrivate: boolean;
  requireHttps: boolean;
};

export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'invalid';

export type Resolver = (hostname: string) => Promise<string[]>;

export type CheckWebhookUrlResult = { ok: true; url: URL } | { ok: false; reason: string };

const MAX_URL_LENGTH = 2048;

const CLASS_PHRASE: Record<AddressClass, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  shared: 'a carrier-grade NAT (shared) address',
  'link-local': 'a link-local address',
  'unique-local': 'a unique-local address',
  'site-local': 'a site-local address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  invalid: 'an unparseable address',
};

// IANA's special-purpose IPv4 registry: none of these is a place a merchant's
// webhook receiver can legitimately live. First match wins, so the
// broadcast address is listed before the 240/4 block that contains it.
const V4_RANGES: readonly (readonly [base: string, prefix: number, cls: AddressClass])[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes 169.254.169.254, the cloud metadata service
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V4_TABLE = V4_RANGES.map(([base, prefix, cls]) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { net: (parseV4(base) & mask) >>> 0, mask, cls };
});

// Names that point at the delivering host itself or at a metadata service whatever
// the public DNS says, so they are refused without asking a resolver.
const FORBIDDEN_NAMES = new Set(['localhost', 'metadata.google.internal', 'metadata.goog']);

/** Whether connecting to `ip` could reach something other than the public internet. */
export function isForbiddenAddress(ip: string): boolean {
  return addressClass(ip) !== undefined;
}

/**
 * Why `ip` is forbidden, or undefined when it is an ordinary public address.
 * Anything that isn't an IP address is 'invalid' (and so forbidden): a predicate
 * guarding outbound connections must fail closed.
 */
export function addressClass(ip: string): AddressClass | undefined {
  // Zone ids ('fe80::1%eth0') only ever appear on link-local addresses; the
  // address part decides.
  const bare = ip.includes('%') ? ip.slice(0, ip.indexOf('%')) : ip;
  switch (isIP(bare)) {
    case 4:
      return classifyV4(parseV4(bare));
    case 6:
      return classifyV6(parseV6(bare));
    default:
      return 'invalid';
  }
}

/**
 * Validates a webhook URL as a merchant enters it. With `allowPrivate` only the
 * shape is checked and DNS is not consulted at all.
 */
export async function checkWebhookUrl(
  raw: string,
  policy: UrlPolicy,
  resolve: Resolver = defaultResolve,
): Promise<CheckWebhookUrlResult> {
  const fail = (reason: string): CheckWebhookUrlResult => ({ ok: false, reason });

  if (raw.length > MAX_URL_LENGTH) return fail(`is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('must use http or https');
  if (policy.requireHttps && url.protocol !== 'https:') return fail('must use https');
  // Credentials in a URL end up in logs and in the dashboard in clear text.
  if (url.username !== '' || url.password !== '') return fail('must not contain a username or password');
  // url.hash is '' for a bare trailing '#', but href keeps it; a fragment is never
  // sent, so a URL with one is almost certainly not what the merchant meant.
  if (url.href.includes('#')) return fail('must not contain a fragment');
  if (url.hostname === '') return fail('must have a host name');

  const literal = ipLiteral(url);
  if (literal !== undefined) {
    const reason = policy.allowPrivate ? undefined : describeLiteral(literal);
    return reason === undefined ? { ok: true, url } : fail(reason);
  }

  if (policy.allowPrivate) return { ok: true, url };

  // WHATWG URL lowercases host names; a trailing dot is the same name, fully qualified.
  const name = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
  if (FORBIDDEN_NAMES.has(name) || name.endsWith('.localhost')) {
    return fail(`host name ${name} is reserved for local use`);
  }

  let addresses: string[];
  try {
    addresses = await resolve(url.hostname);
  } catch {
    return fail('does not resolve');
  }
  if (addresses.length === 0) return fail('does not resolve');
  // Any one bad address is enough: the connection may use any of them.
  for (const address of addresses) {
    const cls = addressClass(address);
    if (cls !== undefined) return fail(`resolves to ${CLASS_PHRASE[cls]} (${address})`);
  }
  return { ok: true, url };
}

/**
 * A `net` lookup function that refuses forbidden addresses, for undici's
 * `new Agent({ connect: { lookup } })`. Node's socket calls it with `all: true`
 * when happy-eyeballs (autoSelectFamily) is on and with `all` unset otherwise.
 * It is never called for IP-literal hosts; see forbiddenLiteral.
 */
export function safeLookup(policy: UrlPolicy, lookup: LookupFunction = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, options, (err, address, family) => {
      if (err || policy.allowPrivate) {
        callback(err, address, family);
        return;
      }
      const list = typeof address === 'string' ? [address] : address.map((a) => a.address);
      for (const a of list) {
        const cls = addressClass(a);
        if (cls !== undefined) {
          callback(forbiddenAddressError(hostname, a, cls), typeof address === 'string' ? '' : []);
          return;
        }
      }
      callback(null, address, family);
    });
  };
}

/**
 * For an IP-literal host, why connecting to it is forbidden; undefined when it is
 * allowed or when the host is a name (safeLookup handles those). Node's sockets
 * skip the lookup function for literals, so delivery must call this first.
 */
export function forbiddenLiteral(url: URL, policy: UrlPolicy): string | undefined {
  if (policy.allowPrivate) return undefined;
  const literal = ipLiteral(url);
  return literal === undefined ? undefined : describeLiteral(literal);
}

function describeLiteral(ip: string): string | undefined {
  const cls = addressClass(ip);
  return cls === undefined ? undefined : `is ${CLASS_PHRASE[cls]} (${ip})`;
}

function ipLiteral(url: URL): string | undefined {
  // WHATWG URL has already turned '127.1', '0x7f000001' and '2130706433' into
  // '127.0.0.1', and writes IPv6 hosts in brackets.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) === 0 ? undefined : host;
}

function forbiddenAddressError(hostname: string, address: string, cls: AddressClass): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${CLASS_PHRASE[cls]} (${address})`);
  err.code = 'EFORBIDDENADDRESS';
  return err;
}

async function defaultResolve(hostname: string): Promise<string[]> {
  const results = await dns.promises.lookup(hostname, { all: true, order: 'verbatim' });
  return results.map((r) => r.address);
}

function classifyV4(n: number): AddressClass | undefined {
  for (const { net, mask, cls } of V4_TABLE) {
    if (((n & mask) >>> 0) === net) return cls;
  }
  return undefined;
}

// `g` is the eight 16-bit groups of an IPv6 address.
function classifyV6(g: readonly number[]): AddressClass | undefined {
  const at = (i: number) => g[i] ?? 0;
  const embeddedV4 = (hi: number) => ((at(hi) << 16) | at(hi + 1)) >>> 0;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);

  if (zeros(0, 7)) {
    if (at(7) === 0) return 'unspecified';
    if (at(7) === 1) return 'loopback';
  }
  // Forms that carry an IPv4 address, and reach it when connected to.
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated):
  if (zeros(0, 5) && at(5) === 0xffff) return classifyV4(embeddedV4(6));
  if (zeros(0, 4) && at(4) === 0xffff && at(5) === 0) return classifyV4(embeddedV4(6));
  // ::a.b.c.d (IPv4-compatible) is deprecated, so never legitimate.
  if (zeros(0, 6)) return classifyV4(embeddedV4(6)) ?? 'reserved';
  // NAT64 well-known prefix 64:ff9b::/96: a public IPv4 behind it is fine.
  if (at(0) === 0x64 && at(1) === 0xff9b && zeros(2, 6)) return classifyV4(embeddedV4(6));
  // 6to4 2002:AABB:CCDD::/48 routes to a.b.c.d; the 6to4 address itself is fine
  // only when that IPv4 address is.
  if (at(0) === 0x2002) return classifyV4(embeddedV4(1));

  if (at(0) === 0x2001 && at(1) === 0x0db8) return 'documentation';
  if ((at(0) & 0xfff0) === 0x3ff0) return 'documentation'; // 3fff::/20
  // 2001::/23: IETF protocol assignments, including Teredo (2001::/32), whose
  // embedded addresses are obfuscated and not worth decoding.
  if (at(0) === 0x2001 && at(1) < 0x200) return 'reserved';
  if ((at(0) & 0xfe00) === 0xfc00) return 'unique-local'; // includes fd00:ec2::254 (AWS metadata)
  if ((at(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((at(0) & 0xffc0) === 0xfec0) return 'site-local';
  if ((at(0) & 0xff00) === 0xff00) return 'multicast';
  // Everything else outside 2000::/3 (global unicast) is unallocated or special
  // (64:ff9b:1::/48, 100::/64, 5f00::/16, ...).
  if ((at(0) & 0xe000) !== 0x2000) return 'reserved';
  return undefined;
}

// Assumes isIP(s) === 4 (strict dotted quad).
function parseV4(s: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = s.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

// Assumes isIP(s) === 6, without a zone id. Returns the eight 16-bit groups.
function parseV6(s: string): number[] {
  // A trailing dotted quad ('::ffff:127.0.0.1') stands for the last two groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseV4(tail);
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const gap = s.indexOf('::');
  if (gap === -1) return groups(s);
  const left = groups(s.slice(0, gap));
  const right = groups(s.slice(gap + 2));
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
