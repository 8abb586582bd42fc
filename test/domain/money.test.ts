import t from 'tap';
import fc from 'fast-check';
import {
  VAT_RATES,
  computeInvoiceTotals,
  formatSek,
  prorate,
  type InvoiceLineInput,
  type InvoiceTotals,
  type LineTotals,
  type VatRate,
} from '../../src/domain/money.ts';

// Expected amounts below were computed with a separate implementation using exact
// fractions (Python's Fraction), not with this module.

const excl = (quantity: number, unitAmount: number, vatRate: VatRate): InvoiceLineInput => ({
  quantity,
  unitAmount,
  vatRate,
  taxBehavior: 'exclusive',
});
const incl = (quantity: number, unitAmount: number, vatRate: VatRate): InvoiceLineInput => ({
  quantity,
  unitAmount,
  vatRate,
  taxBehavior: 'inclusive',
});

type RateRow = [vatRate: VatRate, net: number, vat: number, gross: number];
type LineRow = [net: number, vat: number, gross: number];
interface TotalsCase {
  name: string;
  lines: InvoiceLineInput[];
  currency?: string;
  expectLines: LineRow[];
  rates: RateRow[];
  // subtotal, vat, total, rounding, amountToPay
  sums: [number, number, number, number, number];
}

function shape(r: InvoiceTotals) {
  return {
    lines: r.lines.map((l): LineRow => [l.net, l.vat, l.gross]),
    rates: r.vatByRate.map((v): RateRow => [v.vatRate, v.net, v.vat, v.gross]),
    sums: [r.subtotal, r.vat, r.total, r.rounding, r.amountToPay],
  };
}

const cases: TotalsCase[] = [
  {
    name: 'exclusive 25 %',
    lines: [excl(1, 10000, 25)],
    expectLines: [[10000, 2500, 12500]],
    rates: [[25, 10000, 2500, 12500]],
    sums: [10000, 2500, 12500, 0, 12500],
  },
  {
    // Per line, 83.25 would round to 83 three times (249); on the rate's sum, 249.75 -> 250.
    name: 'VAT is rounded on the sum per rate, not per line; lines share it by largest remainder',
    lines: [excl(1, 333, 25), excl(1, 333, 25), excl(1, 333, 25)],
    expectLines: [
      [333, 84, 417], // equal remainders: the earliest line gets the extra öre
      [333, 83, 416],
      [333, 83, 416],
    ],
    rates: [[25, 999, 250, 1249]],
    sums: [999, 250, 1249, -49, 1200], // 12,49 kr -> 12 kr
  },
  {
    name: 'largest remainder goes to the largest fractional parts',
    lines: [excl(1, 1, 25), excl(1, 3, 25), excl(1, 2, 25)], // exact 0.25, 0.75, 0.5; sum 1.5 -> 2
    expectLines: [
      [1, 0, 1],
      [3, 1, 4],
      [2, 1, 3],
    ],
    rates: [[25, 6, 2, 8]],
    sums: [6, 2, 8, -8, 0],
  },
  {
    name: 'inclusive 25 %: VAT is a fifth of the gross',
    lines: [incl(1, 12500, 25)],
    expectLines: [[10000, 2500, 12500]],
    rates: [[25, 10000, 2500, 12500]],
    sums: [10000, 2500, 12500, 0, 12500],
  },
  {
    name: 'inclusive 12 %: 9900 × 12/112 = 1060.71 -> 1061',
    lines: [incl(1, 9900, 12)],
    expectLines: [[8839, 1061, 9900]],
    rates: [[12, 8839, 1061, 9900]],
    sums: [8839, 1061, 9900, 0, 9900],
  },
  {
    name: 'inclusive 12 %, exact half öre rounds up: 14 × 12/112 = 1.5 -> 2',
    lines: [incl(1, 14, 12)],
    expectLines: [[12, 2, 14]],
    rates: [[12, 12, 2, 14]],
    sums: [12, 2, 14, -14, 0],
  },
  {
    name: 'inclusive 6 %; total 49,50 kr rounds up to 50 kr',
    lines: [incl(1, 4950, 6)],
    expectLines: [[4670, 280, 4950]],
    rates: [[6, 4670, 280, 4950]],
    sums: [4670, 280, 4950, 50, 5000],
  },
  {
    name: 'öresavrundning: 49 öre down',
    lines: [excl(1, 149, 0)],
    expectLines: [[149, 0, 149]],
    rates: [[0, 149, 0, 149]],
    sums: [149, 0, 149, -49, 100],
  },
  {
    name: 'öresavrundning: 50 öre up',
    lines: [excl(1, 150, 0)],
    expectLines: [[150, 0, 150]],
    rates: [[0, 150, 0, 150]],
    sums: [150, 0, 150, 50, 200],
  },
  {
    name: 'all four rates, listed highest first whatever the line order',
    lines: [excl(1, 10000, 0), excl(3, 1999, 6), excl(2, 19900, 25), excl(1, 5000, 12)],
    expectLines: [
      [10000, 0, 10000],
      [5997, 360, 6357], // 359.82 -> 360
      [39800, 9950, 49750],
      [5000, 600, 5600],
    ],
    rates: [
      [25, 39800, 9950, 49750],
      [12, 5000, 600, 5600],
      [6, 5997, 360, 6357],
      [0, 10000, 0, 10000],
    ],
    sums: [60797, 10910, 71707, -7, 71700],
  },
  {
    name: 'consumer basket, inclusive prices at three rates',
    lines: [incl(1, 19900, 25), incl(2, 4900, 12), incl(1, 8900, 6)],
    expectLines: [
      [15920, 3980, 19900],
      [8750, 1050, 9800],
      [8396, 504, 8900], // 503.77 -> 504
    ],
    rates: [
      [25, 15920, 3980, 19900],
      [12, 8750, 1050, 9800],
      [6, 8396, 504, 8900],
    ],
    sums: [33066, 5534, 38600, 0, 38600],
  },
  {
    // Exact VAT 0.25 + 0.4 = 0.65 -> 1, rounded once. The inclusive line keeps its
    // quoted gross (its share round(0.4) = 0), the exclusive line gets the rest.
    name: 'one rate mixing inclusive and exclusive lines is rounded once',
    lines: [excl(1, 1, 25), incl(1, 2, 25)],
    expectLines: [
      [1, 1, 2],
      [2, 0, 2],
    ],
    rates: [[25, 3, 1, 4]],
    sums: [3, 1, 4, -4, 0],
  },
  {
    // A plan at 299 kr with half a period of a previous plan credited: 7475 and
    // -3737.5 exact, 3737.5 -> 3738 on the sum.
    name: 'a negative credit line on the same rate',
    lines: [excl(1, 29900, 25), excl(1, -14950, 25)],
    expectLines: [
      [29900, 7475, 37375],
      [-14950, -3737, -18687],
    ],
    rates: [[25, 14950, 3738, 18688]],
    sums: [14950, 3738, 18688, 12, 18700],
  },
  {
    name: 'a credit note mirrors the invoice exactly (half away from zero)',
    lines: [excl(1, -333, 25), excl(1, -333, 25), excl(1, -333, 25)],
    expectLines: [
      [-333, -84, -417],
      [-333, -83, -416],
      [-333, -83, -416],
    ],
    rates: [[25, -999, -250, -1249]],
    sums: [-999, -250, -1249, 49, -1200],
  },
  {
    name: 'other currencies are not rounded to whole units',
    currency: 'EUR',
    lines: [excl(1, 333, 25), excl(1, 333, 25), excl(1, 333, 25)],
    expectLines: [
      [333, 84, 417],
      [333, 83, 416],
      [333, 83, 416],
    ],
    rates: [[25, 999, 250, 1249]],
    sums: [999, 250, 1249, 0, 1249],
  },
  {
    name: 'no lines',
    lines: [],
    expectLines: [],
    rates: [],
    sums: [0, 0, 0, 0, 0],
  },
];

t.test('computeInvoiceTotals case table', async (t) => {
  for (const c of cases) {
    const r = computeInvoiceTotals(c.lines, c.currency ?? 'SEK');
    t.equal(r.currency, c.currency ?? 'SEK', `${c.name}: currency`);
    t.same(shape(r), { lines: c.expectLines, rates: c.rates, sums: c.sums }, c.name);
  }
});

t.test('large amounts use exact integer arithmetic', async (t) => {
  // 3 × 1 000 000 000 000 001 öre at 25 %: the exact VAT is ...000.75, and net × 25 × 125
  // is far beyond 2^53.
  const r = computeInvoiceTotals([excl(3, 1_000_000_000_000_001, 25)], 'EUR');
  t.same([r.subtotal, r.vat, r.total], [3_000_000_000_000_003, 750_000_000_000_001, 3_750_000_000_000_004]);
  // A total that no longer fits a safe integer is refused rather than silently wrong.
  t.throws(() => computeInvoiceTotals([excl(1000, 9_000_000_000_000, 25)], 'SEK'), RangeError);
});

t.test('computeInvoiceTotals rejects malformed input', async (t) => {
  const bad: [string, InvoiceLineInput][] = [
    ['quantity 0', excl(0, 100, 25)],
    ['fractional quantity', excl(1.5, 100, 25)],
    ['fractional amount (kronor instead of öre)', excl(1, 99.5, 25)],
    ['NaN amount', excl(1, Number.NaN, 25)],
    ['unsafe amount', excl(1, 2 ** 53, 25)],
    ['unknown rate', { ...excl(1, 100, 25), vatRate: 7 as VatRate }],
    ['unknown tax behaviour', { ...excl(1, 100, 25), taxBehavior: 'gross' as 'inclusive' }],
  ];
  for (const [name, line] of bad) t.throws(() => computeInvoiceTotals([line], 'SEK'), RangeError, name);
  for (const currency of ['sek', 'SE', 'SEKK', '']) {
    const name = `currency ${JSON.stringify(currency)}`;
    t.throws(() => computeInvoiceTotals([excl(1, 100, 25)], currency), RangeError, name);
  }
});

const lineArb = (minUnit: number, maxUnit: number) =>
  fc.record({
    quantity: fc.integer({ min: 1, max: 1000 }),
    unitAmount: fc.integer({ min: minUnit, max: maxUnit }),
    taxBehavior: fc.constantFrom('inclusive' as const, 'exclusive' as const),
    vatRate: fc.constantFrom(...VAT_RATES),
  });
const linesArb = (minUnit: number, maxUnit: number) =>
  fc.array(lineArb(minUnit, maxUnit), { minLength: 1, maxLength: 50 });

const behaviors = ['inclusive', 'exclusive'] as const;
const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

// The exact VAT of one rate, as numerator over denominator, straight from the lines.
function exactRateVat(lines: readonly InvoiceLineInput[], rate: VatRate): [bigint, bigint] {
  const r = BigInt(rate);
  let num = 0n;
  for (const l of lines) {
    if (l.vatRate !== rate) continue;
    const base = BigInt(l.quantity) * BigInt(l.unitAmount);
    num += l.taxBehavior === 'exclusive' ? base * r * (100n + r) : base * r * 100n;
  }
  return [num, 100n * (100n + r)];
}

function checkInvariants(lines: readonly InvoiceLineInput[], r: InvoiceTotals): void {
  const fail = (what: string) => {
    throw new Error(`${what}: ${JSON.stringify({ lines, r })}`);
  };
  if (total(r.vatByRate.map((v) => v.vat)) !== r.vat) fail('sum of per-rate VAT != total VAT');
  if (total(r.vatByRate.map((v) => v.net)) !== r.subtotal) fail('sum of per-rate net != subtotal');
  if (r.subtotal + r.vat !== r.total) fail('net + VAT != total');
  if (total(r.lines.map((l) => l.net)) !== r.subtotal) fail('lines net != subtotal');
  if (total(r.lines.map((l) => l.vat)) !== r.vat) fail('lines VAT != total VAT');
  r.lines.forEach((l: LineTotals, i) => {
    const line = lines[i];
    if (line === undefined) return fail('missing line');
    if (l.net + l.vat !== l.gross) fail(`line ${i}: net + VAT != gross`);
    // The side the price was quoted on is never touched.
    const quoted = line.quantity * line.unitAmount;
    if ((line.taxBehavior === 'exclusive' ? l.net : l.gross) !== quoted) fail(`line ${i}: quoted amount changed`);
  });
  for (const v of r.vatByRate) {
    if (v.net + v.vat !== v.gross) fail('rate net + VAT != gross');
    // Rounded once, half an öre at most from the exact VAT of the rate's lines.
    const [num, den] = exactRateVat(lines, v.vatRate);
    const diff = BigInt(v.vat) * den - num;
    if (2n * (diff < 0n ? -diff : diff) > den) fail(`rate ${v.vatRate}: VAT not the rounded exact VAT`);
  }
  if (r.amountToPay - r.total !== r.rounding) fail('amountToPay - total != rounding');
  if (r.amountToPay % 100 !== 0) fail('SEK amount to pay is not whole kronor');
  if (Math.abs(r.rounding) > 50) fail('|rounding| > 50 öre');
  // Half up for ordinary invoices: 1–49 öre down, 50–99 up.
  if (r.total >= 0 && (r.rounding < -49 || r.rounding > 50)) fail('rounding outside -49..50');
}

t.test('property: totals are consistent for any invoice (amounts 0..10 000 000 öre)', async (t) => {
  fc.assert(
    fc.property(linesArb(0, 10_000_000), (lines) => {
      checkInvariants(lines, computeInvoiceTotals(lines, 'SEK'));
    }),
    { numRuns: 500 },
  );
  t.pass('property holds');
});

t.test('property: still consistent with credit/discount lines (negative amounts)', async (t) => {
  fc.assert(
    fc.property(linesArb(-10_000_000, 10_000_000), (lines) => {
      checkInvariants(lines, computeInvoiceTotals(lines, 'SEK'));
    }),
    { numRuns: 500 },
  );
  t.pass('property holds');
});

t.test('property: with a single tax behaviour each line VAT is its exact share rounded down or up', async (t) => {
  fc.assert(
    fc.property(linesArb(-10_000_000, 10_000_000), fc.constantFrom(...behaviors), (raw, taxBehavior) => {
      const lines = raw.map((l) => ({ ...l, taxBehavior }));
      const r = computeInvoiceTotals(lines, 'SEK');
      return r.lines.every((l, i) => {
        const line = lines[i];
        if (line === undefined) return false;
        const rate = BigInt(line.vatRate);
        const den = taxBehavior === 'exclusive' ? 100n : 100n + rate;
        const diff = BigInt(l.vat) * den - BigInt(line.quantity) * BigInt(line.unitAmount) * rate;
        return (diff < 0n ? -diff : diff) < den;
      });
    }),
    { numRuns: 300 },
  );
  t.pass('property holds');
});

t.test('property: negating every line negates every amount', async (t) => {
  fc.assert(
    fc.property(linesArb(0, 10_000_000), (lines) => {
      const a = computeInvoiceTotals(lines, 'SEK');
      const b = computeInvoiceTotals(
        lines.map((l) => ({ ...l, unitAmount: -l.unitAmount })),
        'SEK',
      );
      const neg = (x: number) => (x === 0 ? 0 : -x);
      t.same(
        shape(b),
        {
          lines: shape(a).lines.map((row) => row.map(neg)),
          rates: shape(a).rates.map(([rate, ...rest]) => [rate, ...rest.map(neg)]),
          sums: shape(a).sums.map(neg),
        },
        'mirrored',
      );
    }),
    { numRuns: 50 },
  );
});

t.test('property: non-SEK currencies are never rounded', async (t) => {
  fc.assert(
    fc.property(linesArb(0, 10_000_000), fc.constantFrom('EUR', 'NOK', 'DKK', 'USD'), (lines, currency) => {
      const r = computeInvoiceTotals(lines, currency);
      return r.rounding === 0 && r.amountToPay === r.total;
    }),
    { numRuns: 100 },
  );
  t.pass('property holds');
});

t.test('prorate case table', async (t) => {
  const rows: [amount: number, numerator: number, denominator: number, expected: number][] = [
    [29900, 12, 30, 11960],
    [10000, 1, 3, 3333], // 3333.33
    [10000, 2, 3, 6667], // 6666.67
    [-10000, 2, 3, -6667],
    [99, 15, 31, 48], // 47.90
    [5, 1, 4, 1], // 1.25
    [1, 1, 2, 1], // exact half: away from zero
    [-1, 1, 2, -1],
    [29900, 0, 30, 0],
    [29900, 30, 30, 29900],
    [Number.MAX_SAFE_INTEGER, 2, 3, 6004799503160661], // exact: 6004799503160660.67
  ];
  for (const [a, k, n, expected] of rows) t.equal(prorate(a, k, n), expected, `prorate(${a}, ${k}, ${n})`);

  const bad: [number, number, number][] = [
    [100, 1, 0],
    [100, -1, 3],
    [100, 4, 3],
    [100, 1.5, 3],
    [100.5, 1, 3],
    [100, 1, Number.NaN],
  ];
  for (const [a, k, n] of bad) t.throws(() => prorate(a, k, n), RangeError, `prorate(${a}, ${k}, ${n})`);
});

const amountArb = fc.integer({ min: -100_000_000, max: 100_000_000 });
const daysArb = fc.integer({ min: 1, max: 366 });

t.test('property: complementary prorations add up, except at an exact half öre', async (t) => {
  fc.assert(
    fc.property(
      amountArb,
      daysArb,
      fc.nat(),
      (a, n, seed) => {
        const k = seed % (n + 1);
        const sum = prorate(a, k, n) + prorate(a, n - k, n);
        // Both parts are exact halves exactly when 2·(|a|·k mod n) = n.
        const tie = 2 * ((Math.abs(a) * k) % n) === n;
        return sum === (tie ? a + Math.sign(a) : a);
      },
    ),
    { numRuns: 2000 },
  );
  // The tie is real, not just allowed: 1 öre split in two halves.
  t.equal(prorate(1, 1, 2) + prorate(1, 1, 2), 2);
  t.equal(prorate(3, 1, 2) + prorate(3, 1, 2), 4);
});

t.test('property: prorate is within half an öre of the exact value', async (t) => {
  fc.assert(
    fc.property(amountArb, daysArb, fc.nat(), (a, n, seed) => {
      const k = seed % (n + 1);
      const diff = prorate(a, k, n) * n - a * k;
      return 2 * Math.abs(diff) <= n;
    }),
  );
  t.pass('property holds');
});

t.test('formatSek', async (t) => {
  const rows: [number, string][] = [
    [123450, '1 234,50 kr'],
    [0, '0,00 kr'],
    [5, '0,05 kr'],
    [99, '0,99 kr'],
    [100, '1,00 kr'],
    [99999, '999,99 kr'],
    [100000, '1 000,00 kr'],
    [123456789, '1 234 567,89 kr'],
    [-5, '-0,05 kr'],
    [-123450, '-1 234,50 kr'],
    [Number.MAX_SAFE_INTEGER, '90 071 992 547 409,91 kr'],
    [Number.MIN_SAFE_INTEGER, '-90 071 992 547 409,91 kr'],
  ];
  for (const [ore, text] of rows) t.equal(formatSek(ore), text, String(ore));
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    t.throws(() => formatSek(bad), RangeError, String(bad));
  }
});
