import t, { type Test } from 'tap';
import fc from 'fast-check';
import http from 'node:http';
import { BlockList, type AddressInfo, type LookupFunction } from 'node:net';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent, request } from 'undici';
import {
  addressClass,
  checkWebhookUrl,
  forbiddenLiteral,
  isForbiddenAddress,
  safeLookup,
  type AddressClass,
  type UrlPolicy,
} from '../../src/modules/webhooks/url-safety.ts';

const strict: UrlPolicy = { allowPrivate: false, requireHttps: true };
const strictHttp: UrlPolicy = { allowPrivate: false, requireHttps: false };
const lenient: UrlPolicy = { allowPrivate: true, requireHttps: false };

type ClassCase = [ip: string, cls: AddressClass];

function expectClasses(t: Test, cases: readonly ClassCase[]): void {
  for (const [ip, cls] of cases) {
    t.equal(addressClass(ip), cls, `${ip} is ${cls}`);
    t.equal(isForbiddenAddress(ip), true, `${ip} forbidden`);
  }
}

function expectAllowed(t: Test, ips: readonly string[]): void {
  for (const ip of ips) {
    t.equal(addressClass(ip), undefined, `${ip} has no class`);
    t.equal(isForbiddenAddress(ip), false, `${ip} allowed`);
  }
}

t.test('isForbiddenAddress: IPv4', async (t) => {
  expectClasses(t, [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.170', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ]);
  // One step outside each range.
  expectAllowed(t, [
    '8.8.8.8',
    '1.1.1.1',
    '1.0.0.0',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.255',
    '192.0.3.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '198.51.99.255',
    '198.51.101.0',
    '203.0.112.255',
    '203.0.114.0',
    '223.255.255.255',
  ]);
});

t.test('isForbiddenAddress: IPv6, including forms that embed an IPv4 address', async (t) => {
  expectClasses(t, [
    ['::', 'unspecified'],
    ['0:0:0:0:0:0:0:0', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    // IPv4-mapped, dotted and hex, upper and lower case.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::FFFF:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:100.64.0.1', 'shared'],
    // IPv4-translated (SIIT) and the deprecated IPv4-compatible form.
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::8.8.8.8', 'reserved'],
    // NAT64 and 6to4.
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::c0a8:101', 'private'],
    ['64:ff9b:1::1', 'reserved'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a00:1::', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:a9fe:a9fe::', 'link-local'],
    // Everything else.
    ['2001:db8::1', 'documentation'],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['2001:1ff::1', 'reserved'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['100::1', 'reserved'],
    ['5f00::1', 'reserved'],
    ['4000::1', 'reserved'],
  ]);
  expectAllowed(t, [
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '2a00:1450:4001:82b::200e',
    '2001:200::1',
    '2001:db9::1',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8',
    '64:ff9b::101:101',
    '2002:808:808::1',
  ]);
});

t.test('isForbiddenAddress fails closed on anything that is not an IP address', async (t) => {
  for (const junk of ['', 'localhost', '127.1', '0x7f000001', '1.2.3.4.5', '[::1]', '::g', 'not an ip']) {
    t.equal(addressClass(junk), 'invalid', JSON.stringify(junk));
    t.equal(isForbiddenAddress(junk), true, JSON.stringify(junk));
  }
});

t.test('property: IPv4 matches an independently built BlockList, and every embedding agrees', async (t) => {
  const blocked = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
    ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
    ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 3],
  ] as const) {
    blocked.addSubnet(net, prefix, 'ipv4');
  }
  // Bias towards the interesting blocks so the ranges' edges get exercised.
  const firstOctet = fc.oneof(fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 223, 224, 255), fc.nat(255));
  const ipv4 = fc
    .tuple(firstOctet, fc.nat(255), fc.nat(255), fc.nat(255))
    .map((octets) => octets.join('.'));
  fc.assert(
    fc.property(ipv4, (ip) => {
      const cls = addressClass(ip);
      if ((cls !== undefined) !== blocked.check(ip, 'ipv4')) return false;
      const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number);
      const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
      return (
        addressClass(`::ffff:${ip}`) === cls &&
        addressClass(`::ffff:${hex}`) === cls &&
        addressClass(`64:ff9b::${ip}`) === cls &&
        addressClass(`2002:${hex}::1`) === cls
      );
    }),
    { numRuns: 5000 },
  );
  t.pass('property holds');
});

// A resolver that knows a few names and records what it was asked.
function fakeResolver(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (host: string): Promise<string[]> => {
    asked.push(host);
    const found = table[host];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };
  return { resolve, asked };
}

const dnsTable: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'loop.example': ['127.0.0.1'],
  'ten.example': ['10.0.0.5'],
  'mixed.example': ['93.184.215.14', '2606:4700:4700::1111', '192.168.0.10'],
  'mapped.example': ['::ffff:169.254.169.254'],
  'ula.example': ['fd00:ec2::254'],
  'empty.example': [],
};

async function reasonFor(raw: string, policy: UrlPolicy = strict): Promise<string | undefined> {
  const r = await checkWebhookUrl(raw, policy, fakeResolver(dnsTable).resolve);
  return r.ok ? undefined : r.reason;
}

t.test('checkWebhookUrl: resolved addresses', async (t) => {
  const ok = await checkWebhookUrl('https://hooks.example.com/omtanke?x=1', strict, fakeResolver(dnsTable).resolve);
  t.ok(ok.ok, 'public host accepted');
  if (ok.ok) t.equal(ok.url.href, 'https://hooks.example.com/omtanke?x=1');

  const cases: [url: string, reason: string][] = [
    ['https://loop.example/', 'resolves to a loopback address (127.0.0.1)'],
    ['https://ten.example/', 'resolves to a private address (10.0.0.5)'],
    ['https://mixed.example/', 'resolves to a private address (192.168.0.10)'],
    ['https://mapped.example/', 'resolves to a link-local address (::ffff:169.254.169.254)'],
    ['https://ula.example/', 'resolves to a unique-local address (fd00:ec2::254)'],
    ['https://empty.example/', 'does not resolve'],
    ['https://unknown.example/', 'does not resolve'],
  ];
  for (const [url, reason] of cases) t.equal(await reasonFor(url), reason, url);
});

t.test('checkWebhookUrl: IP literals are checked without DNS', async (t) => {
  const cases: [url: string, reason: string, policy?: UrlPolicy][] = [
    ['https://127.0.0.1/hook', 'is a loopback address (127.0.0.1)'],
    ['https://10.1.2.3/', 'is a private address (10.1.2.3)'],
    ['https://169.254.169.254/latest/meta-data/', 'is a link-local address (169.254.169.254)'],
    ['https://[::1]/', 'is a loopback address (::1)'],
    // WHATWG URL normalises the host before we see it.
    ['https://[::ffff:127.0.0.1]/', 'is a loopback address (::ffff:7f00:1)'],
    ['https://[fd00:ec2::254]/', 'is a unique-local address (fd00:ec2::254)'],
    ['https://127.1/', 'is a loopback address (127.0.0.1)'],
    ['https://0x7f.1/', 'is a loopback address (127.0.0.1)'],
    ['http://2130706433/', 'is a loopback address (127.0.0.1)', strictHttp],
    ['https://0/', 'is an unspecified address (0.0.0.0)'],
  ];
  for (const [url, reason, policy = strict] of cases) {
    const { resolve, asked } = fakeResolver(dnsTable);
    t.same(await checkWebhookUrl(url, policy, resolve), { ok: false, reason }, url);
    t.same(asked, [], `${url}: no DNS`);
  }
  const { resolve, asked } = fakeResolver(dnsTable);
  t.ok((await checkWebhookUrl('https://8.8.8.8/hook', strict, resolve)).ok, 'public literal accepted');
  t.ok((await checkWebhookUrl('https://[2606:4700:4700::1111]/hook', strict, resolve)).ok, 'public IPv6 literal accepted');
  t.same(asked, []);
});

t.test('checkWebhookUrl: local names are refused before DNS', async (t) => {
  for (const [url, name] of [
    ['https://localhost/', 'localhost'],
    ['https://LOCALHOST./', 'localhost'],
    ['https://api.localhost/', 'api.localhost'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal'],
  ] as const) {
    const { resolve, asked } = fakeResolver({ [name]: ['93.184.215.14'] });
    t.same(await checkWebhookUrl(url, strict, resolve), { ok: false, reason: `host name ${name} is reserved for local use` }, url);
    t.same(asked, [], `${url}: no DNS`);
  }
});

t.test('checkWebhookUrl: shape of the URL', async (t) => {
  const cases: [url: string, reason: string, policy?: UrlPolicy][] = [
    ['http://hooks.example.com/', 'must use https'],
    ['ftp://hooks.example.com/', 'must use http or https', strictHttp],
    ['file:///etc/passwd', 'must use http or https', strictHttp],
    ['javascript:alert(1)', 'must use http or https', strictHttp],
    ['gopher://hooks.example.com:70/', 'must use http or https', strictHttp],
    ['https://user:pass@hooks.example.com/', 'must not contain a username or password'],
    ['https://user@hooks.example.com/', 'must not contain a username or password'],
    ['https://:pass@hooks.example.com/', 'must not contain a username or password'],
    ['https://hooks.example.com/#section', 'must not contain a fragment'],
    ['https://hooks.example.com/#', 'must not contain a fragment'],
    ['not a url', 'is not a valid URL'],
    ['', 'is not a valid URL'],
    ['https://', 'is not a valid URL'],
    ['https://exa mple.com/', 'is not a valid URL'],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, 'is longer than 2048 characters'],
  ];
  for (const [url, reason, policy = strict] of cases) {
    t.equal(await reasonFor(url, policy), reason, url.slice(0, 60));
  }
  t.ok((await checkWebhookUrl('http://hooks.example.com/', strictHttp, fakeResolver(dnsTable).resolve)).ok, 'http allowed when not required');
  const longest = 'https://hooks.example.com/'.padEnd(2048, 'a');
  t.ok((await checkWebhookUrl(longest, strict, fakeResolver(dnsTable).resolve)).ok, 'exactly 2048 characters is fine');
});

t.test('checkWebhookUrl: allowPrivate skips the address checks and DNS, not the shape checks', async (t) => {
  const { resolve, asked } = fakeResolver({});
  for (const url of ['http://127.0.0.1:1234/hook', 'http://localhost:1234/hook', 'http://[::1]:1234/', 'http://receiver.internal/']) {
    const r = await checkWebhookUrl(url, lenient, resolve);
    t.ok(r.ok, url);
    if (r.ok) t.equal(r.url.href, url);
  }
  t.same(asked, [], 'no DNS');
  t.equal(await reasonFor('ftp://127.0.0.1/', lenient), 'must use http or https');
  t.equal(await reasonFor('http://u:p@127.0.0.1/', lenient), 'must not contain a username or password');
  t.equal(await reasonFor('http://127.0.0.1/', { allowPrivate: true, requireHttps: true }), 'must use https');
});

t.test('checkWebhookUrl: the default resolver reports an unknown name as unresolvable', async (t) => {
  // .invalid is guaranteed never to resolve (RFC 6761); with no network it fails too.
  t.same(await checkWebhookUrl('https://nothing.invalid/', strict), { ok: false, reason: 'does not resolve' });
});

t.test('forbiddenLiteral', async (t) => {
  t.equal(forbiddenLiteral(new URL('http://127.0.0.1:8080/'), strictHttp), 'is a loopback address (127.0.0.1)');
  t.equal(forbiddenLiteral(new URL('https://[::ffff:a9fe:a9fe]/'), strict), 'is a link-local address (::ffff:a9fe:a9fe)');
  t.equal(forbiddenLiteral(new URL('https://[fe80::1]/'), strict), 'is a link-local address (fe80::1)');
  t.equal(forbiddenLiteral(new URL('https://8.8.8.8/'), strict), undefined, 'public literal');
  t.equal(forbiddenLiteral(new URL('https://localhost/'), strict), undefined, 'names are left to safeLookup');
  t.equal(forbiddenLiteral(new URL('http://127.0.0.1/'), lenient), undefined, 'allowPrivate');
});

type LookupResult = { address: string | LookupAddress[]; family: number | undefined };

function callLookup(lookup: LookupFunction, host: string, options: LookupOptions): Promise<LookupResult> {
  return new Promise((resolve, reject) => {
    lookup(host, options, (err, address, family) => (err ? reject(err) : resolve({ address, family })));
  });
}

// Stands in for dns.lookup, answering every name with `addresses`.
function fixedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_host, options, cb) => {
    if (options.all) cb(null, addresses);
    else cb(null, addresses[0]?.address ?? '', addresses[0]?.family);
  };
}

t.test('safeLookup with the real resolver: localhost', async (t) => {
  const forbidden = { code: 'EFORBIDDENADDRESS', message: /^localhost resolves to a loopback address \(/ };
  await t.rejects(callLookup(safeLookup(strictHttp), 'localhost', { all: true }), forbidden, 'all: true');
  await t.rejects(callLookup(safeLookup(strictHttp), 'localhost', {}), forbidden, 'single address');

  const all = await callLookup(safeLookup(lenient), 'localhost', { all: true });
  t.ok(Array.isArray(all.address) && all.address.length > 0, 'allowPrivate: array of addresses');
  if (Array.isArray(all.address)) t.ok(all.address.every((a) => isForbiddenAddress(a.address)), 'all loopback');
  const one = await callLookup(safeLookup(lenient), 'localhost', {});
  t.type(one.address, 'string', 'allowPrivate: a single address');
  t.ok(typeof one.address === 'string' && addressClass(one.address) === 'loopback');
  t.ok(one.family === 4 || one.family === 6);
});

t.test('safeLookup checks every address it passes on', async (t) => {
  const mixed = fixedLookup([
    { address: '93.184.215.14', family: 4 },
    { address: 'fd00:ec2::254', family: 6 },
  ]);
  await t.rejects(callLookup(safeLookup(strictHttp, mixed), 'mixed.example', { all: true }), {
    code: 'EFORBIDDENADDRESS',
    message: 'mixed.example resolves to a unique-local address (fd00:ec2::254)',
  });
  // Without `all` only the first address is ever connected to, and it is fine.
  t.same(await callLookup(safeLookup(strictHttp, mixed), 'mixed.example', {}), { address: '93.184.215.14', family: 4 });

  const publicOnly: LookupAddress[] = [
    { address: '93.184.215.14', family: 4 },
    { address: '2606:4700:4700::1111', family: 6 },
  ];
  t.same(await callLookup(safeLookup(strictHttp, fixedLookup(publicOnly)), 'hooks.example.com', { all: true }), {
    address: publicOnly,
    family: undefined,
  });

  const failing: LookupFunction = (host, _options, cb) =>
    cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), '');
  await t.rejects(callLookup(safeLookup(strictHttp, failing), 'nowhere.example', {}), { code: 'ENOTFOUND' }, 'DNS errors pass through');
});

t.test('undici: Agent({ connect: { lookup } }) refuses a name that resolves to loopback', async (t) => {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;

  const agentFor = (policy: UrlPolicy, extra: { autoSelectFamily?: boolean } = {}) => {
    const agent = new Agent({ connect: { lookup: safeLookup(policy), ...extra } });
    t.teardown(() => agent.close());
    return agent;
  };

  const strictAgent = agentFor(strictHttp);
  await t.rejects(request(`http://localhost:${port}/`, { dispatcher: strictAgent }), { code: 'EFORBIDDENADDRESS' });
  // Without happy eyeballs, net asks for a single address instead of all: same result.
  await t.rejects(
    request(`http://localhost:${port}/`, { dispatcher: agentFor(strictHttp, { autoSelectFamily: false }) }),
    { code: 'EFORBIDDENADDRESS' },
  );
  // TLS connections take the same lookup; it fails before any handshake.
  await t.rejects(request(`https://localhost:${port}/`, { dispatcher: strictAgent }), { code: 'EFORBIDDENADDRESS' });
  t.equal(hits, 0, 'nothing reached the server');

  const res = await request(`http://localhost:${port}/`, { dispatcher: agentFor(lenient) });
  t.equal(res.statusCode, 200, 'allowPrivate connects');
  t.equal(await res.body.text(), 'ok');

  // Node's sockets skip the lookup function for IP literals: this is why delivery
  // must also call forbiddenLiteral.
  const literal = await request(`http://127.0.0.1:${port}/`, { dispatcher: strictAgent });
  t.equal(literal.statusCode, 200, 'an IP literal bypasses safeLookup');
  await literal.body.dump();
  t.equal(forbiddenLiteral(new URL(`http://127.0.0.1:${port}/`), strictHttp), 'is a loopback address (127.0.0.1)');
  t.equal(hits, 2);
});
