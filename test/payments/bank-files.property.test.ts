import t from 'tap';
import fc from 'fast-check';
import { parseCalendarDate } from '../../src/domain/calendar-date.ts';
import { makeOcrReference } from '../../src/domain/ocr.ts';
import { isValidRf, makeRfReference } from '../../src/domain/rf-reference.ts';
import { parseBankFile, type ParsedBankFile, type ParseResult } from '../../src/modules/payments/files/bank-file.ts';
import { parseBgmax } from '../../src/modules/payments/files/bgmax.ts';
import { parseCamt054 } from '../../src/modules/payments/files/camt054.ts';
import { writeBgmax, writeCamt054, type TestBankFile, type TestPayment } from '../helpers/bank-files.ts';

// Random files from the writers, then damaged at random: whatever comes in, the parsers never
// throw, and what they accept adds up.

// Latin-1 letters that can never form a UTF-8 sequence with their neighbours (no byte 0x80–0xBF).
const TEXT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 åäöÅÄÖé&-';
const text = (min: number, max: number) =>
  fc.array(fc.constantFrom(...TEXT_CHARS), { minLength: min, maxLength: max }).map((cs) => cs.join(''));
const DATES = ['2026-01-15', '2026-01-16', '2026-02-02'];

const referenceArb: fc.Arbitrary<Pick<TestPayment, 'ocr' | 'rf' | 'reference'>> = fc.oneof(
  fc.record({ ocr: fc.nat({ max: 10 ** 9 }).map((n) => makeOcrReference(n, { lengthDigit: true })) }),
  fc.record({ rf: fc.stringMatching(/^[0-9A-Z]{1,15}$/).map(makeRfReference) }),
  // Free text: "Faktura …" can't be an RF or an OCR by accident.
  fc.record({ reference: text(0, 15).map((s) => `Faktura ${s}`.trim()) }),
  fc.constant({}),
);

const paymentArb = (serial: number): fc.Arbitrary<TestPayment> =>
  fc
    .record(
      {
        amount: fc.integer({ min: 1, max: 10 ** 10 }),
        ref: referenceArb,
        payerName: text(1, 35).map((s) => s.trim()).filter((s) => s !== ''),
        bookingDate: fc.constantFrom(...DATES),
        organisationNumber: fc.constantFrom('5560360793', '5560125790'),
      },
      { requiredKeys: ['amount', 'ref', 'bookingDate'] },
    )
    .map(({ ref, ...p }) => ({ ...p, ...ref, serial }));

const fileArb: fc.Arbitrary<TestBankFile> = fc
  .record({
    payments: fc.integer({ min: 1, max: 12 }),
    deductions: fc.integer({ min: 0, max: 2 }),
    test: fc.boolean(),
    crlf: fc.boolean(),
  })
  .chain(({ payments, deductions, test, crlf }) =>
    fc.record({
      payeeBankgiro: fc.constantFrom('991-2346', '5050-1055'),
      payments: fc.tuple(...Array.from({ length: payments }, (_, i) => paymentArb(i + 1))),
      deductions: fc.tuple(...Array.from({ length: deductions }, (_, i) => paymentArb(100 + i))),
      test: fc.constant(test),
      lineEnding: fc.constant(crlf ? ('\r\n' as const) : ('\n' as const)),
    }),
  )
  // A section whose deductions outweigh its payments is a BgMax oddity the writer doesn't do.
  .filter((f) =>
    DATES.every((d) => {
      const sum = (ps: TestPayment[]) => ps.filter((p) => p.bookingDate === d).reduce((s, p) => s + p.amount, 0);
      return sum(f.payments) >= sum(f.deductions ?? []);
    }),
  );

/** Everything an accepted file must satisfy, whatever was done to it. */
function addsUp(file: ParsedBankFile): string | null {
  const totals = { count: 0, amount: 0, deductionCount: 0, deductionAmount: 0 };
  const perDeposit = file.deposits.map(() => ({ net: 0, count: 0 }));
  const keys = new Set<string>();
  for (const tx of file.transactions) {
    if (!Number.isSafeInteger(tx.amount) || tx.amount <= 0) return `amount ${tx.amount}`;
    if (!/^[A-Z]{3}$/.test(tx.currency)) return `currency ${tx.currency}`;
    if (parseCalendarDate(tx.bookingDate) === null) return `booking date ${tx.bookingDate}`;
    if (keys.has(tx.key)) return `key ${tx.key} twice`;
    keys.add(tx.key);
    if (!file.payeeAccounts.includes(tx.payeeAccount)) return `payee account ${tx.payeeAccount}`;
    for (const ref of [tx.reference, ...tx.extraReferences.map((x) => x.reference)]) {
      if (ref.type === 'ocr' && !/^[0-9]{1,25}$/.test(ref.value)) return `OCR ${ref.value}`;
      if (ref.type === 'rf' && !isValidRf(ref.value)) return `RF ${ref.value}`;
      if (ref.type === 'none' && ref.value !== '') return 'a none reference with a value';
      if (ref.type === 'free' && (ref.value === '' || ref.value !== ref.value.trim())) return `free text ${JSON.stringify(ref.value)}`;
    }
    if (tx.kind === 'payment') {
      totals.count++;
      totals.amount += tx.amount;
    } else {
      totals.deductionCount++;
      totals.deductionAmount += tx.amount;
    }
    const d = perDeposit[tx.deposit];
    if (d === undefined) return `deposit ${tx.deposit}`;
    d.net += tx.kind === 'payment' ? tx.amount : -tx.amount;
    d.count++;
    if (file.deposits[tx.deposit]!.currency !== tx.currency || file.deposits[tx.deposit]!.bookingDate !== tx.bookingDate) {
      return 'a transaction unlike its deposit';
    }
  }
  if (JSON.stringify(totals) !== JSON.stringify(file.totals)) return `totals ${JSON.stringify(file.totals)} vs ${JSON.stringify(totals)}`;
  for (const [i, d] of file.deposits.entries()) {
    if (d.amount !== perDeposit[i]!.net || d.count !== perDeposit[i]!.count) return `deposit ${i} does not add up`;
  }
  return null;
}

function accepted(r: ParseResult): string | null {
  if (!r.ok) {
    if (r.error.reason === '') return 'an empty reason';
    if (r.error.line === undefined && r.error.path === undefined) return 'an error without a line or path';
    return null;
  }
  return addsUp(r.file);
}

// --- mutations ---

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'deleteLine'; at: number }
  | { kind: 'duplicateLine'; at: number }
  | { kind: 'swapLines'; at: number; with: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.constantFrom(...Buffer.from('0123456789 \t\r\nABPTåÅ<>/&', 'latin1')) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('deleteLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), at: fc.nat(), with: fc.nat() }),
);

function mutate(input: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    if (b.length === 0) break;
    if (m.kind === 'flip') {
      b[m.at % b.length] = m.byte;
    } else if (m.kind === 'truncate') {
      b = b.subarray(0, m.at % b.length);
    } else {
      const lines = b.toString('latin1').split('\n');
      const i = m.at % lines.length;
      if (m.kind === 'deleteLine') lines.splice(i, 1);
      else if (m.kind === 'duplicateLine') lines.splice(i, 0, lines[i]!);
      else {
        const j = m.with % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      b = Buffer.from(lines.join('\n'), 'latin1');
    }
  }
  return b;
}

t.test('BgMax: written files parse back to exactly what was written', async (t) => {
  fc.assert(
    fc.property(fileArb, (f) => {
      const r = parseBgmax(writeBgmax(f));
      if (!r.ok) throw new Error(`rejected: line ${r.error.line}: ${r.error.reason}`);
      // One section per booking date, in the order the dates first appear.
      const dates = [...new Set([...f.payments, ...(f.deductions ?? [])].map((p) => p.bookingDate!))];
      const expected = dates.flatMap((d) => [
        ...f.payments.filter((p) => p.bookingDate === d).map((p) => ({ p, kind: 'payment' })),
        ...(f.deductions ?? []).filter((p) => p.bookingDate === d).map((p) => ({ p, kind: 'deduction' })),
      ]);
      const got = r.file.transactions.map((tx) => [tx.kind, tx.amount, tx.bookingDate, tx.reference.type, tx.reference.value, tx.payer.name, tx.payer.organisationNumber]);
      const want = expected.map(({ p, kind }) => [
        kind,
        p.amount,
        p.bookingDate,
        p.ocr !== undefined ? 'ocr' : p.rf !== undefined ? 'rf' : p.reference ? 'free' : 'none',
        p.ocr ?? p.rf ?? p.reference ?? '',
        p.payerName ?? null,
        p.organisationNumber ?? null,
      ]);
      t.same(got, want);
      t.equal(r.file.isTest, f.test ?? false);
      return addsUp(r.file) === null;
    }),
    { numRuns: 200 },
  );
});

for (const v of ['02', '08'] as const) {
  t.test(`camt.054.001.${v}: written files parse back to what was written`, async (t) => {
    fc.assert(
      fc.property(fileArb, fc.constantFrom('perPayment' as const, 'perDate' as const), (f, entries) => {
        const r = parseCamt054(writeCamt054({ ...f, entries }, v));
        if (!r.ok) throw new Error(`rejected: ${r.error.path ?? r.error.line}: ${r.error.reason}`);
        const all = [...f.payments, ...(f.deductions ?? [])];
        t.equal(r.file.transactions.length, all.length);
        t.same(r.file.totals, {
          count: f.payments.length,
          amount: f.payments.reduce((s, p) => s + p.amount, 0),
          deductionCount: f.deductions?.length ?? 0,
          deductionAmount: (f.deductions ?? []).reduce((s, p) => s + p.amount, 0),
        });
        for (const tx of r.file.transactions) {
          const p = all.find((x) => `camt:${r.file.payeeAccounts[0]}/tx:${x.serial}` === tx.key)!;
          if (p === undefined) return false;
          const value = p.ocr ?? p.rf ?? p.reference ?? '';
          if (tx.amount !== p.amount || tx.reference.value !== value || tx.payer.name !== (p.payerName ?? null)) return false;
        }
        return addsUp(r.file) === null;
      }),
      { numRuns: 100 },
    );
  });
}

t.test('BgMax: damaged files are rejected or still add up, and never throw', async () => {
  fc.assert(
    fc.property(fileArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (f, mutations) => {
      const input = mutate(writeBgmax(f), mutations);
      const problem = accepted(parseBgmax(input)) ?? accepted(parseBankFile(input));
      if (problem !== null) throw new Error(problem);
    }),
    { numRuns: 1500 },
  );
});

t.test('BgMax: the published sample, damaged', async () => {
  const { readFileSync } = await import('node:fs');
  const sample = readFileSync(
    new URL('./fixtures/bgmax_bankgirot_exempelfil_ocr-kontroll_checksiffra_langd.latin1.txt', import.meta.url),
  );
  fc.assert(
    fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (mutations) => {
      const problem = accepted(parseBgmax(mutate(sample, mutations)));
      if (problem !== null) throw new Error(problem);
    }),
    { numRuns: 1000 },
  );
});

t.test('camt.054: damaged files are rejected or still add up, and never throw', async () => {
  fc.assert(
    fc.property(
      fileArb,
      fc.constantFrom('02' as const, '08' as const),
      fc.boolean(),
      fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      (f, v, summary, mutations) => {
        const input = mutate(writeCamt054({ ...f, summary }, v), mutations);
        const problem = accepted(parseCamt054(input)) ?? accepted(parseBankFile(input));
        if (problem !== null) throw new Error(problem);
      },
    ),
    { numRuns: 1000 },
  );
});

t.test('random bytes never throw', async () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(`01BGMAX${s}`, 'utf8')),
    fc.string({ maxLength: 200 }).map((s) => Buffer.from(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">${s}`, 'utf8')),
  );
  fc.assert(
    fc.property(bytes, (b) => {
      for (const r of [parseBgmax(b), parseCamt054(b), parseBankFile(b), parseBankFile(b, 'text/xml')]) {
        const problem = accepted(r);
        if (problem !== null) throw new Error(problem);
      }
    }),
    { numRuns: 2000 },
  );
});
