// Parse throughput of the bank-file parsers: a generated BgMax file of 100 000 payments (about
// 20 MB: payment, name and organisation number records) and a camt.054 of 10 000 transactions,
// each parsed a few times. No database. `node scripts/bench/bank-files.ts [payments]`.
import { performance } from 'node:perf_hooks';
import { makeOcrReference } from '../../src/domain/ocr.ts';
import { parseBgmax } from '../../src/modules/payments/files/bgmax.ts';
import { parseCamt054 } from '../../src/modules/payments/files/camt054.ts';
import type { ParseResult } from '../../src/modules/payments/files/bank-file.ts';
import { writeBgmax, writeCamt054, type TestPayment } from '../../test/helpers/bank-files.ts';

const count = Number(process.argv[2] ?? 100_000);
const camtCount = Math.min(count, 10_000);
const RUNS = 5;

function payments(n: number): TestPayment[] {
  const out: TestPayment[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      amount: 9_900 + (i % 50_000),
      ocr: makeOcrReference(1_000 + i, { lengthDigit: true }),
      serial: i + 1,
      payerName: i % 3 === 0 ? 'Åsa Öberg Ängsbacken AB' : `Betalare ${i}`,
      organisationNumber: '5560360793',
      bookingDate: i % 2 === 0 ? '2026-01-15' : '2026-01-16',
    });
  }
  return out;
}

function measure(label: string, bytes: number, n: number, parse: () => ParseResult): void {
  const times: number[] = [];
  let result: ParseResult | undefined;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    result = parse();
    times.push(performance.now() - t0);
  }
  if (!result?.ok) throw new Error(`${label}: ${JSON.stringify(result?.error)}`);
  if (result.file.transactions.length !== n) throw new Error(`${label}: ${result.file.transactions.length} transactions, expected ${n}`);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const mb = bytes / 1_048_576;
  console.log(
    `${label}: ${n.toLocaleString('en')} transactions, ${mb.toFixed(1)} MiB; median of ${RUNS} parses ${median.toFixed(0)} ms ` +
      `(best ${times[0]!.toFixed(0)} ms) = ${Math.round(n / (median / 1000)).toLocaleString('en')} transactions/s, ${(mb / (median / 1000)).toFixed(1)} MiB/s`,
  );
}

let t0 = performance.now();
const bgmax = writeBgmax({ payeeBankgiro: '991-2346', payments: payments(count) });
console.log(`writeBgmax: ${count.toLocaleString('en')} payments in ${(performance.now() - t0).toFixed(0)} ms`);
measure('BgMax', bgmax.length, count, () => parseBgmax(bgmax));

t0 = performance.now();
const camt = writeCamt054({ payeeBankgiro: '991-2346', payments: payments(camtCount) }, '08');
console.log(`writeCamt054: ${camtCount.toLocaleString('en')} payments in ${(performance.now() - t0).toFixed(0)} ms`);
measure('camt.054.001.08', camt.length, camtCount, () => parseCamt054(camt));
