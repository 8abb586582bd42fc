import t from 'tap';
import fc from 'fast-check';
import { isValidOcr, makeOcrReference, type MakeOcrOptions } from '../../src/domain/ocr.ts';
import { isValidBankgiro, parseBankgiro, type BankgiroErrorReason } from '../../src/domain/bankgiro.ts';

// The OCR tables come from ../shared/reference/sweden.md §1 (check digits recomputed
// there); everything else was computed with a separate Luhn implementation.

const withLength = { lengthDigit: true } as const;
const checkOnly = { lengthDigit: false } as const;

t.test('makeOcrReference: the reference table (payload given as prefix)', async (t) => {
  const rows: [payload: string, checkDigitOnly: string, lengthAndCheck: string][] = [
    ['12345', '123455', '1234574'],
    ['123456', '1234566', '12345682'],
    ['1234567890', '12345678903', '123456789023'], // the worked example: 12 digits -> length digit 2
    ['00720191224200', '007201912242002', '0072019122420063'],
  ];
  for (const [payload, check, both] of rows) {
    // The payload as a prefix with an empty-looking sequence isn't possible, so split
    // it: all but the last digit as prefix, the last digit as the sequence.
    const prefix = payload.slice(0, -1);
    const sequence = Number(payload.slice(-1));
    t.equal(makeOcrReference(sequence, { lengthDigit: false, prefix }), check, `${payload} check digit only`);
    t.equal(makeOcrReference(sequence, { lengthDigit: true, prefix }), both, `${payload} length + check`);
    const padded = makeOcrReference(BigInt(payload), { lengthDigit: true, minLength: both.length });
    t.equal(padded, both, `${payload} as a zero-padded sequence`);
  }
  t.equal(makeOcrReference(0, checkOnly), '00');
  t.equal(makeOcrReference(0, withLength), '034');
});

t.test('makeOcrReference: prefix, padding and bounds', async (t) => {
  const rows: [sequence: bigint | number, opts: MakeOcrOptions, expected: string][] = [
    [1, withLength, '133'],
    [1, checkOnly, '18'],
    [42, { lengthDigit: true, prefix: '77' }, '774265'],
    [42, { lengthDigit: true, prefix: '77', minLength: 10 }, '7700004208'], // zeros between prefix and sequence
    [42, { lengthDigit: false, prefix: '77', minLength: 10 }, '7700000420'],
    [123456, { lengthDigit: true, minLength: 4 }, '12345682'], // minLength is a minimum, never a cut
    [9, { lengthDigit: true, minLength: 25 }, '0000000000000000000000950'],
    [123456789012345678901234n, checkOnly, '1234567890123456789012340'], // 25 digits, past 2^53
    [12345678901234567890123n, withLength, '1234567890123456789012357'],
  ];
  for (const [sequence, opts, expected] of rows) {
    t.equal(makeOcrReference(sequence, opts), expected, `${sequence} ${JSON.stringify(opts)}`);
  }

  const bad: [bigint | number, MakeOcrOptions][] = [
    [-1, checkOnly],
    [-1n, checkOnly],
    [1.5, checkOnly],
    [2 ** 53, checkOnly], // not exactly representable: pass a bigint instead
    [Number.NaN, checkOnly],
    [1234567890123456789012345n, checkOnly], // 26 digits with the check digit
    [123456789012345678901234n, withLength], // 26 digits with both control digits
    [1, { lengthDigit: true, prefix: '12-3' }],
    [1, { lengthDigit: true, prefix: ' 1' }],
    [1, { lengthDigit: true, minLength: 26 }],
    [1, { lengthDigit: true, minLength: 1 }],
    [1, { lengthDigit: true, minLength: 5.5 }],
  ];
  for (const [sequence, opts] of bad) {
    t.throws(() => makeOcrReference(sequence, opts), RangeError, `${sequence} ${JSON.stringify(opts)}`);
  }
});

t.test('isValidOcr', async (t) => {
  // From the reference: valid with Luhn + length digit, and the BgMax sample's references.
  const validWithLength = [
    ...['18108401345678778', '1018966492531', '03368912618', '1202951008', '1636976'],
    ...['655969', '657965', '034'],
  ];
  for (const ref of validWithLength) {
    t.equal(isValidOcr(ref, withLength), true, `${ref} with length control`);
    t.equal(isValidOcr(ref, checkOnly), true, `${ref} check digit only`);
  }
  // Passes Luhn but its length digit is 1 for a 7-digit reference.
  t.equal(isValidOcr('1636919', checkOnly), true);
  t.equal(isValidOcr('1636919', withLength), false);
  // The BgMax sample's code-3 reference that is not Luhn-valid.
  t.equal(isValidOcr('89853', checkOnly), false);
  // Odoo's pitfall: first digit of the length (1) instead of length mod 10 (2) for 12 digits.
  t.equal(isValidOcr('123456789013', checkOnly), false);
  t.equal(isValidOcr('12345678901', withLength), false);

  const junk = ['', '0', '5', ' 123455', '123455 ', '1234 55', '12345-5', 'abc', '١٢٣٤٥٥'];
  junk.push('0'.repeat(26));
  for (const ref of junk) {
    t.equal(isValidOcr(ref, checkOnly), false, `${JSON.stringify(ref)} check digit only`);
    t.equal(isValidOcr(ref, withLength), false, `${JSON.stringify(ref)} with length control`);
  }
  t.equal(isValidOcr('0000000000000000000000000', checkOnly), true, '25 digits is the maximum');
  t.equal(isValidOcr('00', checkOnly), true, '2 digits is the minimum');
});

const optsArb = fc.record({
  lengthDigit: fc.boolean(),
  prefix: fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 6 }),
  minLength: fc.integer({ min: 2, max: 25 }),
});

t.test('property: every made reference validates; any single-digit change fails', async (t) => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 15n }),
      optsArb,
      fc.nat(),
      fc.integer({ min: 1, max: 9 }),
      (seq, opts, at, d) => {
        const ref = makeOcrReference(seq, opts);
        if (ref.length > 25 || ref.length < opts.minLength || !ref.startsWith(opts.prefix)) return false;
        if (!isValidOcr(ref, { lengthDigit: opts.lengthDigit })) return false;
        // Length-digit references pass the looser check too (they work at every control level).
        if (opts.lengthDigit && !isValidOcr(ref, checkOnly)) return false;
        const i = at % ref.length;
        const changed = ref.slice(0, i) + String((Number(ref[i]) + d) % 10) + ref.slice(i + 1);
        return !isValidOcr(changed, { lengthDigit: opts.lengthDigit });
      },
    ),
    { numRuns: 2000 },
  );
  t.pass('property holds');
});

const seqArb = fc.bigInt({ min: 0n, max: 10n ** 12n });

t.test('property: different sequences give different references', async (t) => {
  fc.assert(
    fc.property(seqArb, seqArb, optsArb, (a, b, opts) => {
      fc.pre(a !== b);
      return makeOcrReference(a, opts) !== makeOcrReference(b, opts);
    }),
  );
  t.pass('property holds');
});

t.test('parseBankgiro', async (t) => {
  const ok: [input: string, digits: string, formatted: string][] = [
    ['5050-1055', '50501055', '5050-1055'],
    ['50501055', '50501055', '5050-1055'],
    ['5050 1055', '50501055', '5050-1055'],
    ['  5050-1055\n', '50501055', '5050-1055'],
    ['991-2346', '9912346', '991-2346'], // payee in Bankgirot's BgMax sample (0009912346)
    ['9912346', '9912346', '991-2346'],
    ['378-3511', '3783511', '378-3511'], // a payer in the same sample
    ['5555-5551', '55555551', '5555-5551'],
    ['902-0900', '9020900', '902-0900'],
  ];
  for (const [input, digits, formatted] of ok) {
    t.same(parseBankgiro(input), { ok: true, value: { digits, formatted } }, JSON.stringify(input));
    t.equal(isValidBankgiro(input), true, JSON.stringify(input));
  }

  const err: [input: string, reason: BankgiroErrorReason][] = [
    ['5050-1056', 'checksum'],
    ['50501054', 'checksum'],
    ['970-1233', 'checksum'], // payer BGs in the BgMax sample that fail Luhn
    ['1234567', 'checksum'],
    ['123-456', 'length'],
    ['123456', 'length'],
    ['12345-6789', 'length'],
    ['0009912346', 'length'], // BgMax's zero-padded field: strip it in the file parser
    ['505-01055', 'format'], // separator not before the last four digits
    ['50501-055', 'format'],
    ['5050--1055', 'format'],
    ['5050\u20131055', 'format'], // en dash
    ['5050-1055-', 'format'],
    ['-50501055', 'format'],
    ['BG 5050-1055', 'format'],
    ['', 'format'],
    ['abc', 'format'],
  ];
  for (const [input, reason] of err) {
    t.same(parseBankgiro(input), { ok: false, reason }, `${JSON.stringify(input)} -> ${reason}`);
    t.equal(isValidBankgiro(input), false, JSON.stringify(input));
  }
});

t.test('property: formatted bankgiro numbers parse back to themselves', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 7, maxLength: 8 }), (digits) => {
      const r = parseBankgiro(digits);
      if (!r.ok) return r.reason === 'checksum';
      const again = parseBankgiro(r.value.formatted);
      return again.ok && again.value.digits === digits && again.value.formatted === r.value.formatted;
    }),
  );
  t.pass('property holds');
});
