import t from 'tap';
import fc from 'fast-check';
import {
  formatRfReference,
  isValidRf,
  makeRfReference,
  parseRfReference,
  rfBody,
  type RfErrorReason,
} from '../../src/domain/rf-reference.ts';

// Published examples: ISO 11649's own ('RF18 5390 0754 7034'), the worked example and the table
// in ../shared/reference/sweden.md §4, each recomputed there by hand (mod 97 of the rearranged
// number). Everything else below is derived from those.

t.test('makeRfReference: the published examples', async (t) => {
  const rows: [base: string, reference: string][] = [
    ['539007547034', 'RF18539007547034'], // ISO 11649's example, printed RF18 5390 0754 7034
    ['1234512345', 'RF451234512345'], // the worked example: 1234512345271500 mod 97 = 53, 98 − 53 = 45
    ['AB2G5', 'RF68AB2G5'],
    ['TU06FX', 'RF96TU06FX'],
    ['ISO11649', 'RF60ISO11649'],
    ['0HYA6', 'RF720HYA6'],
  ];
  for (const [base, reference] of rows) {
    t.equal(makeRfReference(base), reference, base);
    t.ok(isValidRf(reference), `${reference} is valid`);
  }
  // Normalised input: spaces dropped, lower case upper cased.
  t.equal(makeRfReference('5390 0754 7034'), 'RF18539007547034');
  t.equal(makeRfReference('ab2g5'), 'RF68AB2G5');
  // A check below 10 keeps its leading zero (two check digits, always).
  const small = fc.sample(fc.stringMatching(/^[0-9A-Z]{1,21}$/), { numRuns: 2000, seed: 11649 })
    .map(makeRfReference)
    .find((r) => r.startsWith('RF0'));
  t.ok(small !== undefined && /^RF0[2-9]/.test(small), `single-digit check digits are zero-padded (${small})`);
});

t.test('makeRfReference: refuses what is not 1–21 letters or digits', async (t) => {
  for (const bad of ['', ' ', '1234567890123456789012', 'ÅÄÖ', '12-34', 'RF18.5390']) {
    t.throws(() => makeRfReference(bad), RangeError, JSON.stringify(bad));
  }
  t.equal(makeRfReference('123456789012345678901').length, 25, '21 characters is the longest base, 25 in all');
});

t.test('parseRfReference: normalises spaces and case, formats in groups of four', async (t) => {
  const ok = (input: string, reference: string, formatted: string) => {
    const r = parseRfReference(input);
    t.same(r, { ok: true, value: { reference, formatted } }, JSON.stringify(input));
  };
  ok('RF18 5390 0754 7034', 'RF18539007547034', 'RF18 5390 0754 7034');
  ok('RF18539007547034', 'RF18539007547034', 'RF18 5390 0754 7034');
  ok('  rf18 5390 0754 7034 ', 'RF18539007547034', 'RF18 5390 0754 7034');
  ok('rf68ab2g5', 'RF68AB2G5', 'RF68 AB2G 5');
  ok('RF60 ISO1 1649', 'RF60ISO11649', 'RF60 ISO1 1649');
  ok('RF18\u00a05390\t0754 7034', 'RF18539007547034', 'RF18 5390 0754 7034');
  t.equal(formatRfReference('rf451234512345'), 'RF45 1234 5123 45');
  t.throws(() => formatRfReference('RF19GAX8WS5JYOOUJ87'), RangeError);
});

t.test('parseRfReference: what is wrong, and why', async (t) => {
  const rows: [input: string, reason: RfErrorReason][] = [
    ['RF19GAX8WS5JYOOUJ87', 'checksum'], // sweden.md's invalid example
    ['RF19 5390 0754 7034', 'checksum'], // one check digit off
    ['RF18 5390 0754 7035', 'checksum'], // one base digit off
    ['RF18 5390 0745 7034', 'checksum'], // two base digits swapped
    ['RF99TU06FX', 'checksum'], // 99 ≡ 02 mod 97: never a valid check
    ['RF00', 'length'],
    ['RF18', 'length'], // no base
    ['RF181234567890123456789012', 'length'], // 26 characters
    ['', 'format'],
    ['RF', 'format'],
    ['RF1', 'format'],
    ['18539007547034', 'format'], // no RF
    ['XX18539007547034', 'format'],
    ['RFAB539007547034', 'format'], // letters as check digits
    ['RF18-5390-0754-7034', 'format'], // hyphens are not spaces
    ['RF18 5390 0754 703Å', 'format'],
  ];
  for (const [input, reason] of rows) {
    t.same(parseRfReference(input), { ok: false, reason }, JSON.stringify(input));
    t.notOk(isValidRf(input));
  }
});

t.test('property: every made reference parses back, and one changed character is caught', async () => {
  const base = fc.stringMatching(/^[0-9A-Z]{1,21}$/);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  fc.assert(
    fc.property(base, fc.nat(), fc.integer({ min: 1, max: 35 }), (b, at, shift) => {
      const ref = makeRfReference(b);
      const parsed = parseRfReference(ref.toLowerCase().replace(/(.{4})/g, '$1 '));
      if (!parsed.ok || parsed.value.reference !== ref) return false;
      // Mod 97 catches every substitution of a digit by a digit or a letter by a letter (the
      // difference, at most 35 times a power of ten, is never a multiple of the prime 97).
      const i = 2 + (at % (ref.length - 2));
      const c = ref.charAt(i);
      const pool = c >= '0' && c <= '9' ? '0123456789' : letters;
      const replacement = pool.charAt((pool.indexOf(c) + (shift % (pool.length - 1)) + 1) % pool.length);
      const changed = ref.slice(0, i) + replacement + ref.slice(i + 1);
      return !isValidRf(changed);
    }),
    { numRuns: 2000 },
  );
});

t.test('rfBody and the worked examples (ISO 11649, reference/sweden.md §4)', async (t) => {
  const cases: [string, string][] = [
    ['1234512345', 'RF451234512345'],
    ['AB2G5', 'RF68AB2G5'],
    ['TU06FX', 'RF96TU06FX'],
    ['ISO11649', 'RF60ISO11649'],
    ['539007547034', 'RF18539007547034'],
  ];
  for (const [body, rf] of cases) {
    t.equal(makeRfReference(body), rf, body);
    t.ok(isValidRf(rf), `${rf} valid`);
    t.equal(rfBody(rf), body);
  }
  t.ok(isValidRf('RF720HYA6'));
  t.ok(isValidRf('rf18 5390 0754 7034'), 'lower case and groups of four');
  t.notOk(isValidRf('RF19GAX8WS5JYOOUJ87'));
  t.notOk(isValidRf('RF17539007547034'), 'wrong check digits');
  t.notOk(isValidRf('RF18'), 'no body');
  t.notOk(isValidRf('123456'), 'not RF');
  t.equal(rfBody('RF17539007547034'), null);
  t.throws(() => makeRfReference('ÅÄÖ'), RangeError);
  t.throws(() => makeRfReference('1'.repeat(22)), RangeError);
});

t.test('every made reference is valid; one changed digit is not', async (t) => {
  fc.assert(
    fc.property(fc.stringMatching(/^[0-9A-Z]{1,21}$/), fc.nat(), (body, at) => {
      const rf = makeRfReference(body);
      if (!isValidRf(rf) || rfBody(rf) !== body) return false;
      const i = 4 + (at % body.length);
      const ch = rf[i]!;
      if (!/[0-9]/.test(ch)) return true;
      const other = rf.slice(0, i) + String((Number(ch) + 1) % 10) + rf.slice(i + 1);
      return !isValidRf(other);
    }),
  );
  t.pass();
});
