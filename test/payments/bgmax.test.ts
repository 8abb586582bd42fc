import t from 'tap';
import { readFileSync } from 'node:fs';
import { isValidOcr } from '../../src/domain/ocr.ts';
import { parseBankFile, type BankTransaction, type ParsedBankFile } from '../../src/modules/payments/files/bank-file.ts';
import { parseBgmax } from '../../src/modules/payments/files/bgmax.ts';
import { writeBgmax } from '../helpers/bank-files.ts';

// Bankgirot's published sample (test/payments/fixtures/SOURCE.md), byte for byte.
const SAMPLE = readFileSync(
  new URL('./fixtures/bgmax_bankgirot_exempelfil_ocr-kontroll_checksiffra_langd.latin1.txt', import.meta.url),
);

function parsed(input: Buffer): ParsedBankFile {
  const r = parseBgmax(input);
  if (!r.ok) throw new Error(`expected the file to parse: line ${r.error.line}: ${r.error.reason}`);
  return r.file;
}

const latin1Lines = (b: Buffer) => b.toString('latin1').split('\n');
const fromLines = (lines: string[]) => Buffer.from(lines.join('\n'), 'latin1');

t.test('the published sample parses to what SOURCE.md says', async (t) => {
  t.equal(SAMPLE.length, 5316, 'the fixture is the 5 316-byte original');
  const file = parsed(SAMPLE);
  t.equal(file.format, 'bgmax');
  t.equal(file.version, '01');
  t.same(file.payeeAccounts, ['9912346'], 'payee bankgiro 0009912346 as bankgiro.ts writes it');
  t.equal(file.createdAt, '2004-05-25T17:30:35.010331');
  t.equal(file.isTest, false, 'marked P');

  // [kind, amount, currency, reference type, reference, extra references, line]
  type Row = [BankTransaction['kind'], number, string, string, string, string[], number];
  const rows: Row[] = [
    ['payment', 100000, 'SEK', 'ocr', '655969', [], 3],
    ['deduction', 50000, 'SEK', 'free', '89853', [], 8],
    ['payment', 140000, 'SEK', 'free', '657866 658765 657767', ['657866', '658765', '657767', '657965'], 13],
    ['payment', 110000, 'SEK', 'ocr', '650861', [], 25],
    ['payment', 120000, 'SEK', 'none', '', [], 30],
    ['payment', 70000, 'SEK', 'ocr', '659763', [], 35],
    ['payment', 500000, 'SEK', 'ocr', '658260', ['658369', '658468'], 40],
    ['payment', 300000, 'EUR', 'free', '801266,801365,801464', ['801266', '801365', '801464'], 51],
    ['payment', 100000, 'EUR', 'ocr', '659763', [], 60],
  ];
  t.equal(file.transactions.length, rows.length, '9 payment records: 8 TK20 and 1 TK21');
  rows.forEach(([kind, amount, currency, type, value, extras, line], i) => {
    const tx = file.transactions[i]!;
    t.match(tx, { kind, amount, currency, reference: { type, value }, source: { line }, bookingDate: '2004-05-25' }, `payment ${i + 1}`);
    t.same(
      tx.extraReferences.map((x) => x.reference),
      extras.map((value) => ({ type: 'ocr', value })),
      `payment ${i + 1}: TK22 references`,
    );
    t.ok(tx.extraReferences.every((x) => x.amount === 0), 'TK22 amounts are zero: allocate the payment over them');
    t.equal(tx.payeeAccount, '9912346');
  });

  t.match(file.transactions[1], { bgmax: { referenceCode: 3, deductionCode: '0', bgcSerial: '000230000111' } }, 'the TK21: code 3, deduction code 0');
  t.match(file.transactions[4], { bgmax: { referenceCode: 1, imageMark: '1', channel: '3' } }, 'no reference: code 1, paper with an image');
  t.same(file.transactions[2]!.information, ['Betalning med extra refnr 657965']);
  t.same(file.transactions[6]!.information, ['Faktura 658369', 'Faktura 658468']);
  t.same(file.transactions[7]!.information, ['Faktura801465']);

  t.same(file.transactions[0]!.payer, {
    name: 'Kalles Plåt AB',
    bankgiro: '3783511',
    account: null,
    organisationNumber: '5500001234',
    address: 'Storgatan 2, 12345 Storåker',
  }, 'å read from Latin-1');
  t.equal(file.transactions[3]!.payer.name, 'Olles färg AB');
  t.equal(file.transactions[3]!.payer.bankgiro, '9701233', 'a payer bankgiro failing Luhn is kept, not rejected');
  t.equal(file.transactions[4]!.payer.name, 'Berits Garn');
  t.equal(file.transactions[4]!.payer.address, 'Storgatan 10, 12345 Storåker');
  t.ok(file.transactions.every((tx) => tx.payer.name !== null && tx.payer.address !== null && tx.payer.organisationNumber !== null));

  // Every code-2 reference passed Bankgirot's control: Luhn and length digit (6 digits → 6).
  for (const tx of file.transactions) {
    for (const ref of [tx.reference, ...tx.extraReferences.map((x) => x.reference)]) {
      if (ref.type === 'ocr') t.ok(isValidOcr(ref.value, { lengthDigit: true }), `${ref.value} passes Luhn and length`);
    }
  }

  t.same(
    file.deposits.map((d) => [d.currency, d.amount, d.count, d.serial, d.bookingDate, d.payeeAccount, d.source.line]),
    [
      ['SEK', 190000, 3, '00074', '2004-05-25', '9912346', 23],
      ['SEK', 800000, 4, '00075', '2004-05-25', '9912346', 49],
      ['EUR', 400000, 2, '00076', '2004-05-25', '9912346', 65],
    ],
    'three deposits (TK15): 1 900,00 and 8 000,00 SEK, 4 000,00 EUR',
  );
  t.same(file.transactions.map((tx) => tx.deposit), [0, 0, 0, 1, 1, 1, 1, 2, 2]);
  t.same(file.totals, { count: 8, amount: 1440000, deductionCount: 1, deductionAmount: 50000 });

  const net = (currency: string) =>
    file.transactions
      .filter((tx) => tx.currency === currency)
      .reduce((s, tx) => s + (tx.kind === 'payment' ? tx.amount : -tx.amount), 0);
  t.equal(net('SEK'), 990000, 'SEK net 9 900,00 kr');
  t.equal(file.transactions.filter((tx) => tx.currency === 'SEK').length, 7, 'in 7 payment records');
  t.equal(net('EUR'), 400000, 'EUR 4 000,00 in 2');

  // BGC serial 000000000016 is on two payments of the same deposit: keys still differ.
  const sixteen = file.transactions.filter((tx) => tx.bgmax?.bgcSerial === '000000000016');
  t.equal(sixteen.length, 2, 'the sample repeats a BGC serial number');
  t.equal(new Set(file.transactions.map((tx) => tx.key)).size, 9, 'keys are unique');
  t.equal(file.transactions[0]!.key, 'bgmax:9912346/2004-05-25/00074/000000000010/20/100000/655969');
  t.not(file.transactions[5]!.key, file.transactions[8]!.key, 'OCR 659763 in SEK and in EUR: two payments');

  t.same(parsed(SAMPLE), file, 'the same file parses to the same keys every time');
  t.same(parseBankFile(SAMPLE), { ok: true, file }, 'parseBankFile recognises BgMax');
});

t.test('the sample with CRLF line endings, and without its trailing blank line, is the same file', async (t) => {
  const lf = parsed(SAMPLE);
  const crlf = Buffer.from(SAMPLE.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  t.same(parsed(crlf), lf);
  t.same(parsed(SAMPLE.subarray(0, SAMPLE.length - 1)), lf);
  // Trailing blanks removed from every record: still the same.
  t.same(parsed(fromLines(latin1Lines(SAMPLE).map((l) => l.trimEnd()))), lf);
  // Blank lines between the records: the same payments, each line number now 2n − 1.
  const spaced = parsed(fromLines(latin1Lines(SAMPLE).flatMap((l) => [l, ' '.repeat(80)])));
  t.same(spaced.transactions.map((tx) => tx.key), lf.transactions.map((tx) => tx.key));
  t.same(spaced.totals, lf.totals);
  t.same(spaced.transactions.map((tx) => tx.source.line), lf.transactions.map((tx) => 2 * tx.source.line! - 1));
});

// Fixed-width fields, written out by hand (not by the writer under test).
const l = (s: string, n: number) => s.padEnd(n, ' ').slice(0, n);
const r = (s: string, n: number) => s.padStart(n, ' ').slice(-n);
const z = (v: string | number, n: number) => String(v).padStart(n, '0');
// TK20–23: payer bankgiro, reference (OCR right-aligned), amount, reference code, channel, serial, image mark.
const payment = (tk: string, payerBg: string, ref: string, amount: number, code: number, serial: number, extra = '') =>
  `${tk}${z(payerBg, 10)}${code === 2 ? r(ref, 25) : l(ref, 25)}${z(amount, 18)}${code}2${z(serial, 12)}1${extra}`;

t.test('a hand-made file with every record type', async (t) => {
  const lines = [
    `01${l('BGMAX', 20)}0120260115063012123456T`,
    `05${z('50501055', 10)}${l('', 10)}SEK`,
    // TK20 with an OCR (code 2), two extra references (TK22 +, TK23 −), information, a name with
    // an extra name, both address records (with country and country code) and a personal number.
    payment('20', '9912346', '1234574', 19900, 2, 1),
    payment('22', '9912346', '12345682', 5000, 2, 1),
    payment('23', '9912346', '123455', 1000, 2, 1),
    `25${l('Avser januari och februari', 50)}`,
    '25',
    l(`26${l('Åsa Öberg-Ängström', 35)}c/o Ärlig Förvaltning AB`, 80),
    `27${l('Storgatan 1 lgh 1102', 35)}${l('123 45', 9)}`,
    `28${l('Storåker', 35)}${l('Sverige', 35)}SE`,
    `29${z('198112189876', 12)}`,
    // An RF reference as free text (code 4), a free text that failed the control (code 5).
    payment('20', '0', 'RF18 5390 0754 7034', 5000, 4, 2),
    payment('20', '0', 'Faktura 4711', 3000, 5, 3),
    // No reference at all (code 0), and a TK21 deduction with deduction code 2.
    payment('20', '0', '', 1000, 0, 4),
    payment('21', '0', '1234574', 2000, 2, 5, '2'),
    `15${z('58410000010098', 35)}20260115${z(1, 5)}${z(26900, 18)}SEK${z(5, 8)} `,
    // A second section, another payee bankgiro, the next day.
    `05${z('9912346', 10)}${l('', 10)}SEK`,
    payment('20', '0', '1234566', 10000, 2, 6),
    `15${z('58410000010098', 35)}20260116${z(2, 5)}${z(10000, 18)}SEK${z(1, 8)}`,
    `70${z(5, 8)}${z(1, 8)}${z(2, 8)}${z(2, 8)}`,
  ];
  const file = parsed(fromLines(lines));
  t.same(file.payeeAccounts, ['50501055', '9912346'], 'two payee bankgiros, 8 and 7 digits');
  t.equal(file.isTest, true, 'test marker T');
  t.equal(file.createdAt, '2026-01-15T06:30:12.123456');
  t.equal(file.transactions.length, 6);

  const [ocr, rf, failed, none, deduction, second] = file.transactions as [
    BankTransaction, BankTransaction, BankTransaction, BankTransaction, BankTransaction, BankTransaction,
  ];
  t.match(ocr, {
    kind: 'payment',
    amount: 19900,
    reference: { type: 'ocr', value: '1234574' },
    payeeAccount: '50501055',
    payer: {
      name: 'Åsa Öberg-Ängström c/o Ärlig Förvaltning AB',
      bankgiro: '9912346',
      account: null,
      organisationNumber: '198112189876',
      address: 'Storgatan 1 lgh 1102, 123 45 Storåker, Sverige',
    },
    information: ['Avser januari och februari'],
    bgmax: { referenceCode: 2, channel: '2', imageMark: '1', bgcSerial: '000000000001' },
  });
  t.same(ocr.extraReferences, [
    { reference: { type: 'ocr', value: '12345682' }, amount: 5000, source: { line: 4 } },
    { reference: { type: 'ocr', value: '123455' }, amount: -1000, source: { line: 5 } },
  ], 'TK22 adds, TK23 subtracts');
  t.same(rf.reference, { type: 'rf', value: 'RF18539007547034' }, 'an RF reference in free text is recognised and normalised');
  t.same(failed.reference, { type: 'free', value: 'Faktura 4711' }, 'code 5 (failed the control): free text');
  t.same(none.reference, { type: 'none', value: '' }, 'code 0: no reference');
  t.same(none.payer, { name: null, bankgiro: null, account: null, organisationNumber: null, address: null }, 'no payer records, zero payer bankgiro');
  t.match(deduction, { kind: 'deduction', amount: 2000, reference: { type: 'ocr', value: '1234574' }, bgmax: { deductionCode: '2' } });
  t.match(second, { payeeAccount: '9912346', bookingDate: '2026-01-16', deposit: 1 });
  t.same(file.totals, { count: 5, amount: 38900, deductionCount: 1, deductionAmount: 2000 });
  t.same(file.deposits.map((d) => [d.payeeAccount, d.amount, d.count, d.bankAccount]), [
    ['50501055', 26900, 5, '58410000010098'],
    ['9912346', 10000, 1, '58410000010098'],
  ]);
});

t.test('the writer: what it writes parses back to what it was given', async (t) => {
  const buf = writeBgmax({
    payeeBankgiro: '5050-1055',
    bookingDate: '2026-02-02',
    payments: [
      { amount: 19900, ocr: '1234574', serial: 1, payerName: 'Örjan Åkesson' },
      { amount: 9900, reference: 'faktura 2', serial: 2, bookingDate: '2026-02-03', organisationNumber: '556036-0793' },
      { amount: 500, ocr: '1234566', serial: 3, extraReferences: [{ ocr: '1234574', amount: 200 }, { ocr: '123455', amount: -100 }] },
    ],
    deductions: [{ amount: 1000, ocr: '1234574', serial: 4 }],
    lineEnding: '\r\n',
  });
  t.ok(buf.includes(Buffer.from([0xd6])), 'Ö written as the Latin-1 byte D6');
  t.ok(latin1Lines(buf).slice(0, -1).every((l) => l.length === 81 && l.endsWith('\r')), '80 characters + CRLF per record');
  const file = parsed(buf);
  t.same(file.payeeAccounts, ['50501055']);
  t.same(
    file.transactions.map((tx) => [tx.kind, tx.amount, tx.reference.value, tx.bookingDate, tx.payer.name, tx.payer.organisationNumber]),
    [
      ['payment', 19900, '1234574', '2026-02-02', 'Örjan Åkesson', null],
      ['payment', 500, '1234566', '2026-02-02', null, null],
      ['deduction', 1000, '1234574', '2026-02-02', null, null],
      ['payment', 9900, 'faktura 2', '2026-02-03', null, '5560360793'],
    ],
  );
  t.same(file.transactions[1]!.extraReferences.map((x) => x.amount), [200, -100]);
  t.same(file.totals, { count: 3, amount: 30300, deductionCount: 1, deductionAmount: 1000 });
});

// --- rejected files ---

const BASE = writeBgmax({
  payeeBankgiro: '991-2346',
  payments: [
    { amount: 19900, ocr: '1234574', serial: 1, payerName: 'Åsa Öberg', organisationNumber: '5560360793' },
    { amount: 9900, ocr: '1234566', serial: 2, extraReferences: [{ ocr: '123455' }] },
  ],
  deductions: [{ amount: 1000, ocr: '1234574', serial: 3 }],
});
// 1 TK01, 2 TK05, 3 TK20, 4 TK26, 5 TK29, 6 TK20, 7 TK22, 8 TK21, 9 TK15, 10 TK70, then '' after the final LF.
const BASE_LINES = latin1Lines(BASE);

t.test('the base file for the rejections is valid', async (t) => {
  t.same(BASE_LINES.map((l) => l.slice(0, 2)), ['01', '05', '20', '26', '29', '20', '22', '21', '15', '70', '']);
  t.equal(parsed(BASE).transactions.length, 3);
});

const edit = (f: (lines: string[]) => string[]) => fromLines(f([...BASE_LINES]));
const replaceAt = (s: string, pos: number, value: string) => s.slice(0, pos - 1) + value + s.slice(pos - 1 + value.length);
const at = (n: number, f: (line: string) => string | string[]) => (lines: string[]) => lines.flatMap((l, i) => (i === n - 1 ? f(l) : [l]));

t.test('malformed files are rejected whole, with the line and a reason', async (t) => {
  const cases: [name: string, input: Buffer, line: number, reason: RegExp][] = [
    ['a record of 81 characters', edit(at(3, (l) => `${l}0`)), 3, /record is 81 characters long; BgMax records are 80/],
    ['a TK20 cut short before its serial number', edit(at(3, (l) => l.slice(0, 60))), 3, /payment record \(TK20\) is 60 characters long; it needs at least 69/],
    ['a TK15 cut short', edit(at(9, (l) => l.slice(0, 70))), 9, /deposit record \(TK15\) is 70 characters long/],
    ['a letter in an amount', edit(at(3, (l) => replaceAt(l, 50, 'O'))), 3, /payment record \(TK20\): amount \(positions 38–55\) is not 18 digits/],
    ['blanks in an amount', edit(at(6, (l) => replaceAt(l, 38, '      '))), 6, /amount \(positions 38–55\) is not 18 digits/],
    ['an amount beyond 2^53 öre', edit(at(3, (l) => replaceAt(l, 38, '9'))), 3, /amount \(positions 38–55\) is more than 9007199254740991 öre/],
    ['a zero payment', edit(at(3, (l) => replaceAt(l, 38, '000000000000000000'))), 3, /payment record \(TK20\): amount is zero/],
    ['a bad TK15 amount', edit(at(9, (l) => replaceAt(l, 60, 'x'))), 9, /deposit record \(TK15\): deposit amount \(positions 51–68\) is not 18 digits/],
    ['an unknown record type', edit(at(5, () => '99'.padEnd(80, ' '))), 5, /unknown record type "99"/],
    ['a record that is no record', edit(at(4, () => 'hello world')), 4, /unknown record type "he"/],
    ['no start record', edit((l) => l.slice(1)), 1, /missing start record \(TK01\): the file must begin with 01BGMAX, line 1 begins with "05"/],
    ['an empty file', Buffer.alloc(0), 1, /missing start record \(TK01\): the file has no records/],
    ['only blank lines', Buffer.from('\n   \r\n\n'), 1, /missing start record/],
    ['no end record', edit((l) => l.slice(0, 9)), 9, /missing end record \(TK70\): the file ends after line 9/],
    ['the file ends inside a section', edit((l) => l.slice(0, 8)), 8, /ends \(after line 8\) inside the section opened on line 2: no deposit record \(TK15\)/],
    ['TK70 counts one TK20 too many', edit(at(10, (l) => replaceAt(l, 3, '00000003'))), 10, /end record \(TK70\): counts do not add up: it says 3 TK20 \(the file has 2\)/],
    ['TK70 counts no TK22', edit(at(10, (l) => replaceAt(l, 19, '00000000'))), 10, /0 TK22\/TK23 \(the file has 1\)/],
    ['TK70 counts two deposits', edit(at(10, (l) => replaceAt(l, 27, '00000002'))), 10, /2 TK15 \(the file has 1\)/],
    ['a TK20 line deleted (TK15 count and sum)', edit((l) => l.filter((_, i) => i !== 5 && i !== 6)), 7, /deposit record \(TK15\): says 3 payment records, the section from line 2 has 2 \(1 TK20, 1 TK21\)/],
    ['TK15 sum one öre off', edit(at(9, (l) => replaceAt(l, 51, '000000000000027801'))), 9, /deposit amount 27801 öre is not the section's payments minus deductions, 29800 − 1000 = 28800 öre/],
    ['TK15 in another currency', edit(at(9, (l) => replaceAt(l, 69, 'EUR'))), 9, /currency "EUR" differs from the section's SEK \(TK05 on line 2\)/],
    ['TK15 with a date that does not exist', edit(at(9, (l) => replaceAt(l, 38, '20260230'))), 9, /payment date \(positions 38–45\) "20260230" is not a date/],
    ['a reference code of 9', edit(at(3, (l) => replaceAt(l, 56, '9'))), 3, /reference code \(position 56\) "9" is not 0–5/],
    ['a serial number with blanks', edit(at(3, (l) => replaceAt(l, 58, '  '))), 3, /BGC serial number \(positions 58–69\) is not 12 digits/],
    ['letters for a payer bankgiro', edit(at(3, (l) => replaceAt(l, 3, 'ABC'))), 3, /payer bankgiro \(positions 3–12\) is not numeric/],
    ['a test marker that is neither T nor P', edit(at(1, (l) => replaceAt(l, 45, 'X'))), 1, /test marker \(position 45\) is "X", not T \(test\) or P \(production\)/],
    ['layout version 02', edit(at(1, (l) => replaceAt(l, 23, '02'))), 1, /layout version "02" is not supported/],
    ['a layout that is not BGMAX', edit(at(1, (l) => replaceAt(l, 3, 'BGMIN'))), 1, /layout name in positions 3–22 is not BGMAX/],
    ['a timestamp at 25 o\'clock', edit(at(1, (l) => replaceAt(l, 33, '25'))), 1, /timestamp \(positions 25–44\) "20260115253000000000" is not YYYYMMDDHHMMSS/],
    ['a zero payee bankgiro', edit(at(2, (l) => replaceAt(l, 3, '0000000000'))), 2, /payee bankgiro \(positions 3–12\) is zero/],
    ['a payee bankgiro of 10 digits', edit(at(2, (l) => replaceAt(l, 3, '1234567890'))), 2, /payee bankgiro \(positions 3–12\) has more than 8 digits/],
    ['a currency that is not a code', edit(at(2, (l) => replaceAt(l, 23, 's k'))), 2, /currency \(positions 23–25\) "s k" is not a currency code/],
    ['a deduction code that is a letter', edit(at(8, (l) => replaceAt(l, 71, 'x'))), 8, /deduction code \(position 71\) "x" is not a digit/],
    // Order
    ['a second start record', edit(at(2, (l) => [BASE_LINES[0]!, l])), 2, /second start record \(TK01\); the first is on line 1/],
    ['a payment before the opening record', edit((l) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)]), 2, /payment record \(TK20\) outside a section: an opening record \(TK05\) must come first/],
    ['a name before the extra reference', edit((l) => [...l.slice(0, 5), l[5]!, l[3]!, l[6]!, ...l.slice(7)]), 8, /extra reference record \(TK22\) out of order/],
    ['two name records', edit(at(4, (l) => [l, l])), 5, /name record \(TK26\) out of order: .*each of 26–29 once/],
    ['an organisation number before the name', edit((l) => [...l.slice(0, 3), l[4]!, l[3]!, ...l.slice(5)]), 5, /name record \(TK26\) out of order/],
    ['an extra reference with no payment in its section', edit((l) => [...l.slice(0, 2), l[6]!, ...l.slice(2)]), 3, /extra reference record \(TK22\) without a payment record \(TK20\/TK21\) before it/],
    ['an opening record inside an open section', edit(at(6, (l) => [BASE_LINES[1]!, l])), 6, /opening record \(TK05\) while the section opened on line 2 has no deposit record \(TK15\)/],
    ['a deposit record with no opening record', edit((l) => [l[0]!, l[8]!, ...l.slice(9)]), 2, /deposit record \(TK15\) without an opening record \(TK05\) before it/],
    ['the end record inside a section', edit((l) => [...l.slice(0, 8), l[9]!]), 9, /end record \(TK70\) while the section opened on line 2 has no deposit record/],
    ['a record after the end record', edit((l) => [...l.slice(0, 10), l[3]!]), 11, /record after the end record \(TK70\) on line 10/],
    ['a name after the deposit record', edit((l) => [...l.slice(0, 9), l[3]!, l[9]!]), 10, /name record \(TK26\) without a payment record/],
  ];
  for (const [name, input, line, reason] of cases) {
    const r = parseBgmax(input);
    t.equal(r.ok, false, `${name}: rejected`);
    if (!r.ok) {
      t.equal(r.error.line, line, `${name}: line ${line}`);
      t.match(r.error.reason, reason, `${name}: ${r.error.reason}`);
    }
  }
});

t.test('wrong encoding: UTF-8, control characters, binary data, stray CR', async (t) => {
  // The base file converted to UTF-8, as an editor or a mail gateway might: 'Å' becomes C3 85.
  const utf8 = Buffer.from(BASE.toString('latin1'), 'utf8');
  let r = parseBgmax(utf8);
  t.match(r, { ok: false, error: { line: 4, reason: /bytes C3 85 are UTF-8 for "Å": a BgMax file is ISO-8859-1 \(Latin-1\), this one was converted to UTF-8/ } });
  // The sample converted: 'å' in "Kalles Plåt AB" on line 4.
  r = parseBgmax(Buffer.from(SAMPLE.toString('latin1'), 'utf8'));
  t.match(r, { ok: false, error: { line: 4, reason: /C3 A5 are UTF-8 for "å"/ } });
  // A UTF-8 byte order mark in front.
  r = parseBgmax(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), BASE]));
  t.match(r, { ok: false, error: { line: 1, reason: /EF BB BF are UTF-8/ } });
  // UTF-16.
  r = parseBgmax(Buffer.from(BASE.toString('latin1'), 'utf16le'));
  t.match(r, { ok: false, error: { line: 1, reason: /byte 0x00 is a control character, not ISO-8859-1 text/ } });
  // A PNG, a zip, a NUL in a name, a Windows-1252 € (0x80) where no ISO-8859-1 text has one.
  r = parseBgmax(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
  t.match(r, { ok: false, error: { line: 1, reason: /byte 0x89 is a control character/ } });
  r = parseBgmax(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]));
  t.match(r, { ok: false, error: { line: 1, reason: /byte 0x03 is a control character/ } });
  const nul = Buffer.from(BASE);
  nul[4 * 81 + 5] = 0;
  t.match(parseBgmax(nul), { ok: false, error: { line: 5, reason: /byte 0x00/ } });
  const euro = Buffer.from(BASE);
  euro[3 * 81 + 10] = 0x80;
  t.match(parseBgmax(euro), { ok: false, error: { line: 4, reason: /byte 0x80 is a control character/ } });
  // A carriage return in the middle of a line (old Mac line ends are not BgMax).
  const cr = Buffer.from(BASE.toString('latin1').replace(/\n/g, '\r'), 'latin1');
  t.match(parseBgmax(cr), { ok: false, error: { line: 1, reason: /carriage return \(CR\) not followed by a line feed/ } });
  // parseBankFile sends neither to the BgMax parser by content type alone.
  t.match(parseBankFile(Buffer.from('%PDF-1.7\n')), { ok: false, error: { reason: /not a bank file/ } });
});

t.test('Latin-1 letters that merely look like UTF-8 lead bytes are still Latin-1', async (t) => {
  // 'Ö' (D6) followed by an ASCII letter is not a UTF-8 sequence: fine.
  const file = parsed(writeBgmax({ payeeBankgiro: '9912346', payments: [{ amount: 100, serial: 1, payerName: 'ÖSTLUND ÅKE ÉMILE' }] }));
  t.equal(file.transactions[0]!.payer.name, 'ÖSTLUND ÅKE ÉMILE');
});
