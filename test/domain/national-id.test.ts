import t, { type Test } from 'tap';
import fc from 'fast-check';
import {
  luhnCheckDigit,
  luhnValid,
  maskNationalId,
  parseNationalId,
  type NationalIdErrorReason,
  type NationalIdKind,
  type ParseNationalIdOptions,
} from '../../src/domain/national-id.ts';

// Every check digit below was computed independently (not from memory) with a
// separate Luhn implementation before being written down.
const today = new Date('2024-06-01T12:00:00Z');
const person: ParseNationalIdOptions = { type: 'person', today };
const company: ParseNationalIdOptions = { type: 'company', today };

type OkCase = [input: string, kind: NationalIdKind, normalized: string];
type ErrCase = [input: string, reason: NationalIdErrorReason];

function expectOk(tt: Test, opts: ParseNationalIdOptions, cases: readonly OkCase[]): void {
  for (const [input, kind, normalized] of cases) {
    tt.same(parseNationalId(input, opts), { ok: true, value: { kind, normalized } }, JSON.stringify(input));
  }
}

function expectErr(tt: Test, opts: ParseNationalIdOptions, cases: readonly ErrCase[]): void {
  for (const [input, reason] of cases) {
    tt.same(parseNationalId(input, opts), { ok: false, reason }, `${JSON.stringify(input)} -> ${reason}`);
  }
}

t.test('luhn', async (t) => {
  const checkDigits: [string, number][] = [
    ['7992739871', 3], // the textbook example
    ['811218987', 6],
    ['556036079', 3],
    ['0', 0],
    ['1', 8],
    ['000000000', 0],
  ];
  for (const [payload, digit] of checkDigits) {
    t.equal(luhnCheckDigit(payload), digit, `check digit of ${payload}`);
  }

  const valid = ['79927398713', '8112189876', '5560360793', '2021005489', '1212121212', '00'];
  for (const s of valid) t.equal(luhnValid(s), true, `${s} valid`);

  const invalid = ['79927398710', '8112189875', '5560360794', '', '5', '81121-89876', ' 8112189876', 'abc'];
  for (const s of invalid) t.equal(luhnValid(s), false, `${JSON.stringify(s)} invalid`);

  for (const bad of ['', '12a', '12 3', '-1']) {
    t.throws(() => luhnCheckDigit(bad), RangeError, `luhnCheckDigit(${JSON.stringify(bad)}) throws`);
  }

  t.test('property: appending the check digit always validates, any single-digit change breaks it', async (t) => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 30 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (payload, pos, delta) => {
          const full = payload + String(luhnCheckDigit(payload));
          if (!luhnValid(full)) return false;
          const i = pos % full.length;
          const changed = String((Number(full[i]) + delta) % 10);
          return !luhnValid(full.slice(0, i) + changed + full.slice(i + 1));
        },
      ),
    );
    t.pass('property holds');
  });
});

t.test('personnummer: every accepted form normalises to YYYYMMDDNNNN', async (t) => {
  expectOk(t, person, [
    ['811218-9876', 'personnummer', '198112189876'],
    ['8112189876', 'personnummer', '198112189876'],
    ['19811218-9876', 'personnummer', '198112189876'],
    ['198112189876', 'personnummer', '198112189876'],
    ['  811218-9876\n', 'personnummer', '198112189876'],
    ['\t198112189876 ', 'personnummer', '198112189876'],
    ['121212-1212', 'personnummer', '201212121212'],
    ['121212+1212', 'personnummer', '191212121212'],
  ]);
});

t.test('century resolution for 10-digit forms (today = 2024-06-01)', async (t) => {
  expectOk(t, person, [
    // '-' (or no separator): most recent century that is not in the future
    ['240101-1230', 'personnummer', '202401011230'],
    ['2401011230', 'personnummer', '202401011230'],
    ['240601-1235', 'personnummer', '202406011235'], // born today
    ['240602-1234', 'personnummer', '192406021234'], // tomorrow in 2024 -> 1924, aged 99
    ['2406021234', 'personnummer', '192406021234'],
    ['000101-1238', 'personnummer', '200001011238'],
    ['510101-1236', 'personnummer', '195101011236'],
    ['990101-1230', 'personnummer', '199901011230'],
    // '+': 100 or older
    ['240101+1230', 'personnummer', '192401011230'],
    ['000101+1238', 'personnummer', '190001011238'],
    ['510101+1236', 'personnummer', '185101011236'],
    ['990101+1230', 'personnummer', '189901011230'],
    // '+' from the start of the year someone turns 100 (Skatteverket's rule), so a
    // birthday later this year is still 1924, not 1824.
    ['240602+1234', 'personnummer', '192406021234'],
  ]);
});

t.test('samordningsnummer: day + 60', async (t) => {
  expectOk(t, person, [
    ['811278-9873', 'samordningsnummer', '198112789873'],
    ['8112789873', 'samordningsnummer', '198112789873'],
    ['19811278-9873', 'samordningsnummer', '198112789873'],
    ['198112789873', 'samordningsnummer', '198112789873'],
    ['810191-1231', 'samordningsnummer', '198101911231'], // day 91 = 31 January
  ]);
  expectErr(t, person, [
    ['810290-1231', 'date'], // 30 February
    ['810192-1230', 'date'], // day 32
  ]);
});

t.test('bad check digit', async (t) => {
  expectErr(t, person, [
    ['811218-9875', 'checksum'],
    ['8112189877', 'checksum'],
    ['19811218-9870', 'checksum'],
    ['198112189871', 'checksum'],
    ['811278-9874', 'checksum'],
    // checksum is reported before the date: mistyped digits make the date meaningless
    ['990230-1235', 'checksum'],
  ]);
});

t.test('impossible or future dates', async (t) => {
  expectErr(t, person, [
    ['19990230-1234', 'date'],
    ['990230-1234', 'date'],
    ['20230229-1238', 'date'], // 2023 is not a leap year
    ['230229-1238', 'date'],
    ['19000229-1235', 'date'], // 1900 is not a leap year (divisible by 100)
    ['000229+1235', 'date'], // '+' puts it in 1900
    ['810001-9879', 'date'], // month 00
    ['811300-9875', 'date'], // month 13
    ['20240602-1234', 'date'], // tomorrow
    ['20300101-1232', 'date'],
    ['17991218-9876', 'date'], // nobody alive was born in 1799
  ]);
  expectOk(t, person, [
    ['20000229-1235', 'personnummer', '200002291235'], // 2000 is a leap year (divisible by 400)
    ['000229-1235', 'personnummer', '200002291235'],
    ['20240601-1235', 'personnummer', '202406011235'], // today is not the future
  ]);
});

t.test('today is read as a UTC calendar date', async (t) => {
  const lateOnMay31 = { type: 'person', today: new Date('2024-05-31T23:59:59Z') } as const;
  t.same(parseNationalId('20240601-1235', lateOnMay31), { ok: false, reason: 'date' });
  t.throws(() => parseNationalId('811218-9876', { type: 'person', today: new Date('nope') }), RangeError);
});

t.test('wrong number of digits', async (t) => {
  expectErr(t, person, [
    ['811218987', 'length'], // 9
    ['811218-987', 'length'],
    ['81121898760', 'length'], // 11
    ['811218-98760', 'length'],
    ['1981121898760', 'length'], // 13
    ['19811218-98760', 'length'],
    ['1', 'length'],
  ]);
  expectErr(t, company, [
    ['556036079', 'length'],
    ['55603607930', 'length'],
  ]);
});

t.test('garbage and wrong separators', async (t) => {
  expectErr(t, person, [
    ['', 'format'],
    ['   ', 'format'],
    ['abc', 'format'],
    ['811218-987X', 'format'],
    ['811218 9876', 'format'],
    ['811218/9876', 'format'],
    ['811218_9876', 'format'],
    ['811218\u20139876', 'format'], // en dash
    ['811218--9876', 'format'],
    ['811218-+9876', 'format'],
    ['8112-18-9876', 'format'],
    ['81121-89876', 'format'], // separator not before the last four digits
    ['8112189-876', 'format'],
    ['1981-12189876', 'format'],
    ['-8112189876', 'format'],
    ['8112189876-', 'format'],
    ['19811218+9876', 'format'], // '+' only exists in the 10-digit form
    ['\uff18\uff11\uff11\uff12\uff11\uff18\uff19\uff18\uff17\uff16', 'format'], // full-width digits
  ]);
});

t.test('organisationsnummer', async (t) => {
  expectOk(t, company, [
    ['556036-0793', 'organisationsnummer', '556036-0793'],
    ['5560360793', 'organisationsnummer', '556036-0793'],
    ['165560360793', 'organisationsnummer', '556036-0793'],
    ['16556036-0793', 'organisationsnummer', '556036-0793'],
    ['  202100-5489 ', 'organisationsnummer', '202100-5489'],
    ['2021005448', 'organisationsnummer', '202100-5448'],
    ['212000-0142', 'organisationsnummer', '212000-0142'],
    ['802000-0017', 'organisationsnummer', '802000-0017'],
  ]);
  expectErr(t, company, [
    ['556036-0794', 'checksum'],
    ['5560360790', 'checksum'],
    ['165560360794', 'checksum'],
    ['556036+0793', 'format'], // companies have no age marker
    ['55603-60793', 'format'],
    ['1655603-60793', 'format'],
    ['168112189876', 'format'], // '16' prefix but third digit < 2
  ]);
});

t.test('organisationsnummer for a person gives type, after full validation', async (t) => {
  expectErr(t, person, [
    ['556036-0793', 'type'],
    ['5560360793', 'type'],
    ['165560360793', 'type'],
    ['202100-5489', 'type'],
    ['812218-9874', 'type'], // month 22 can only be an organisationsnummer
    ['556036-0794', 'checksum'], // a typo is reported as a typo, not as the wrong type
  ]);
});

t.test('company accepts personnummer and samordningsnummer (enskild firma)', async (t) => {
  expectOk(t, company, [
    ['811218-9876', 'personnummer', '198112189876'],
    ['198112189876', 'personnummer', '198112189876'],
    ['121212+1212', 'personnummer', '191212121212'],
    ['811278-9873', 'samordningsnummer', '198112789873'],
  ]);
  expectErr(t, company, [
    ['811218-9875', 'checksum'],
    ['20230229-1238', 'date'],
  ]);
});

t.test('normalised values parse back to themselves', async (t) => {
  for (const [n, opts] of [
    ['198112189876', person],
    ['191212121212', person],
    ['198112789873', person],
    ['556036-0793', company],
  ] as const) {
    const r = parseNationalId(n, opts);
    t.ok(r.ok && r.value.normalized === n, n);
  }
});

t.test('maskNationalId', async (t) => {
  const cases: [string, string][] = [
    ['198112189876', '********9876'],
    ['198112789873', '********9873'],
    ['556036-0793', '******-0793'],
    ['811218-9876', '******-9876'],
    ['1234', '1234'],
    ['12', '12'],
    ['', ''],
  ];
  for (const [input, masked] of cases) t.equal(maskNationalId(input), masked, input);
});
