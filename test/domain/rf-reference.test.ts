import t from 'tap';
import fc from 'fast-check';
import { isValidRf, makeRfReference, rfBody } from '../../src/domain/rf-reference.ts';

t.test('worked examples (ISO 11649, reference/sweden.md §4)', async (t) => {
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
