// Invoice arithmetic: VAT per rate, totals, öresavrundning, proration and display.
// Pure functions only.
//
// Every amount is an integer number of minor units (öre for SEK), never a float.
// Products such as quantity × price × rate are done in BigInt so nothing is lost
// past 2^53; results are checked to be safe integers on the way out.
//
// ONE rounding rule, used everywhere: round half away from zero (2.5 -> 3,
// -2.5 -> -3). For the non-negative amounts of an ordinary invoice this is exactly
// the "half-up" that sweden.md §7 (Skatteverket, lag 1970:1029) prescribes for VAT
// per rate and for öresavrundning (1–49 öre down, 50–99 up). Being symmetric, a
// negated line (a credit for unused time, a discount) gives exactly the negated result.
//
// Where it is applied:
// - VAT is rounded once per rate, to öre, on the exact VAT of the sum of that rate's
//   lines (never rounded per line and then summed). Exclusive prices:
//   VAT = net × rate/100. Inclusive prices: VAT = gross × rate/(100+rate), and
//   net = gross − VAT. If one rate mixes both, the exact VATs are added before the
//   single rounding; the inclusive lines' share is round(Σgross × rate/(100+rate)) and
//   the exclusive lines get the rest, so every line's quoted amount is kept.
// - Per-line VAT is that rate's VAT split over its lines by largest remainder: each
//   line gets its exact share rounded down or up, and the lines add up to the rate's
//   VAT exactly, so line, rate and invoice amounts always agree. (Only an exclusive
//   line in a rate that mixes behaviours and signs can end a full öre off its share.)
// - Only the SEK invoice total is rounded, to whole kronor (öresavrundning), shown as
//   its own `rounding` amount; VAT stays in öre. Other currencies are not rounded.

export const VAT_RATES = [25, 12, 6, 0] as const;
export type VatRate = (typeof VAT_RATES)[number];

export type TaxBehavior = 'inclusive' | 'exclusive';

export interface InvoiceLineInput {
  // Whole units, at least 1. Fractional quantities (1.5 hours) are priced by the
  // caller into the unit amount rather than risking a float here.
  quantity: number;
  // Minor units per unit; negative for credits and discounts.
  unitAmount: number;
  // 'inclusive': unitAmount already contains VAT (consumer prices);
  // 'exclusive': VAT is added on top (B2B prices).
  taxBehavior: TaxBehavior;
  vatRate: VatRate;
}

export interface LineTotals {
  net: number;
  vat: number;
  gross: number;
}

export interface VatRateTotals {
  vatRate: VatRate;
  // Taxable amount for this rate (mervärdesskattelagen 17 kap. 24 § p. 8).
  net: number;
  vat: number;
  gross: number;
}

export interface InvoiceTotals {
  currency: string;
  // Same order as the input lines.
  lines: LineTotals[];
  // Only the rates that occur, highest rate first.
  vatByRate: VatRateTotals[];
  // Sum of net amounts.
  subtotal: number;
  vat: number;
  // subtotal + vat: the exact gross, before öresavrundning.
  total: number;
  // Öresavrundning (BAS 3740, Peppol PayableRoundingAmount); 0 outside SEK.
  rounding: number;
  // total + rounding; a whole number of kronor for SEK.
  amountToPay: number;
}

interface WorkLine {
  vatRate: VatRate;
  inclusive: boolean;
  // quantity × unitAmount: net for exclusive lines, gross for inclusive lines
  base: bigint;
  // filled in per rate by apportion()
  vat: bigint;
}

/**
 * Totals for an invoice's lines in `currency` (ISO 4217, amounts in its minor unit).
 * Throws RangeError on malformed lines or totals beyond Number.MAX_SAFE_INTEGER.
 */
export function computeInvoiceTotals(lines: readonly InvoiceLineInput[], currency: string): InvoiceTotals {
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new RangeError(`computeInvoiceTotals: currency must be an ISO 4217 code, got ${JSON.stringify(currency)}`);
  }
  const work = lines.map((line, index): WorkLine => {
    validateLine(line, index);
    return {
      vatRate: line.vatRate,
      inclusive: line.taxBehavior === 'inclusive',
      base: BigInt(line.quantity) * BigInt(line.unitAmount),
      vat: 0n,
    };
  });

  const vatByRate: VatRateTotals[] = [];
  let subtotal = 0n;
  let vat = 0n;
  for (const rate of VAT_RATES) {
    const exclusive = work.filter((w) => w.vatRate === rate && !w.inclusive);
    const inclusive = work.filter((w) => w.vatRate === rate && w.inclusive);
    if (exclusive.length === 0 && inclusive.length === 0) continue;

    const r = BigInt(rate);
    const netSum = sum(exclusive.map((w) => w.base));
    const grossSum = sum(inclusive.map((w) => w.base));
    // netSum·r/100 + grossSum·r/(100+r) over a common denominator, rounded once.
    const rateVat = roundHalfAwayFromZero(netSum * r * (100n + r) + grossSum * r * 100n, 100n * (100n + r));
    const inclusiveVat = roundHalfAwayFromZero(grossSum * r, 100n + r);
    apportion(inclusiveVat, inclusive, (w) => w.base * r, 100n + r);
    apportion(rateVat - inclusiveVat, exclusive, (w) => w.base * r, 100n);

    const rateNet = netSum + grossSum - inclusiveVat;
    vatByRate.push({
      vatRate: rate,
      net: toSafe(rateNet),
      vat: toSafe(rateVat),
      gross: toSafe(rateNet + rateVat),
    });
    subtotal += rateNet;
    vat += rateVat;
  }

  const lineTotals = work.map((w): LineTotals => {
    const net = w.inclusive ? w.base - w.vat : w.base;
    return { net: toSafe(net), vat: toSafe(w.vat), gross: toSafe(net + w.vat) };
  });

  const total = subtotal + vat;
  // Öresavrundning applies to the invoice total only, never per line or to VAT.
  const amountToPay = currency === 'SEK' ? roundHalfAwayFromZero(total, 100n) * 100n : total;
  return {
    currency,
    lines: lineTotals,
    vatByRate,
    subtotal: toSafe(subtotal),
    vat: toSafe(vat),
    total: toSafe(total),
    rounding: toSafe(amountToPay - total),
    amountToPay: toSafe(amountToPay),
  };
}

/**
 * `amount × numerator / denominator`, rounded half away from zero, for charging or
 * crediting part of a period (e.g. 12 of 30 days). Requires 0 ≤ numerator ≤ denominator.
 *
 * Complementary parts add up to `amount` (prorate(a, k, n) + prorate(a, n − k, n) = a)
 * except when both are exact halves of an öre, where they add up to a + 1 (a − 1 for
 * a negative amount). No rounding rule can avoid that for k = n/2 with an odd amount,
 * so when two parts must add up exactly, compute one with prorate and take the other
 * as `amount −` that part.
 */
export function prorate(amount: number, numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError('prorate: amount must be a safe integer');
  if (!Number.isSafeInteger(denominator) || denominator < 1) {
    throw new RangeError('prorate: denominator must be a positive integer');
  }
  if (!Number.isSafeInteger(numerator) || numerator < 0 || numerator > denominator) {
    throw new RangeError('prorate: numerator must be an integer between 0 and denominator');
  }
  // |result| ≤ |amount|, so it is always a safe integer.
  return Number(roundHalfAwayFromZero(BigInt(amount) * BigInt(numerator), BigInt(denominator)));
}

/**
 * Swedish display form of an öre amount: 123450 -> '1 234,50 kr'. Groups of three
 * separated by a plain space, decimal comma, always two decimals, '-' for negatives.
 */
export function formatSek(ore: number): string {
  if (!Number.isSafeInteger(ore)) throw new RangeError('formatSek: ore must be a safe integer');
  const digits = String(Math.abs(ore)).padStart(3, '0');
  const kronor = digits.slice(0, -2).replace(/\B(?=(?:[0-9]{3})+$)/g, ' ');
  return `${ore < 0 ? '-' : ''}${kronor},${digits.slice(-2)} kr`;
}

function validateLine(line: InvoiceLineInput, index: number): void {
  const where = `computeInvoiceTotals: line ${index}`;
  if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
    throw new RangeError(`${where}: quantity must be an integer >= 1`);
  }
  if (!Number.isSafeInteger(line.unitAmount)) {
    throw new RangeError(`${where}: unitAmount must be an integer number of minor units`);
  }
  if (line.taxBehavior !== 'inclusive' && line.taxBehavior !== 'exclusive') {
    throw new RangeError(`${where}: taxBehavior must be 'inclusive' or 'exclusive'`);
  }
  if (!(VAT_RATES as readonly number[]).includes(line.vatRate)) {
    throw new RangeError(`${where}: vatRate must be one of ${VAT_RATES.join(', ')}`);
  }
}

function sum(values: readonly bigint[]): bigint {
  let s = 0n;
  for (const v of values) s += v;
  return s;
}

function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  const abs = numerator < 0n ? -numerator : numerator;
  let q = abs / denominator;
  if (2n * (abs % denominator) >= denominator) q += 1n;
  return numerator < 0n ? -q : q;
}

// Largest remainder: each line starts at its exact share (share(w)/denominator)
// truncated toward zero, then the difference to `target` is handed out one öre at a
// time: +1 to the largest remainders when short, -1 to the most negative when over
// (ties: earlier line first). Working from zero rather than down makes it a mirror
// image for negated lines, so a credit note is exactly the negated invoice. When
// `target` is the rounded exact sum, every line ends within 1 öre of its exact share.
function apportion(
  target: bigint,
  group: readonly WorkLine[],
  share: (w: WorkLine) => bigint,
  denominator: bigint,
): void {
  if (group.length === 0) return;
  const parts = group.map((w) => {
    const exact = share(w);
    const whole = exact / denominator; // BigInt division truncates toward zero
    return { w, whole, remainder: exact - whole * denominator };
  });
  const left = target - sum(parts.map((p) => p.whole));
  const step = left < 0n ? -1n : 1n;
  const count = left * step;
  const n = BigInt(parts.length);
  // Normally count <= n; the division only matters in corners of mixed-sign,
  // mixed-behaviour rates, and keeps the lines summing to `target` even then.
  const each = count / n;
  const extra = count % n;
  // Array.prototype.sort is stable, so equal remainders keep input order.
  const order = [...parts].sort((a, b) =>
    step > 0n ? compare(b.remainder, a.remainder) : compare(a.remainder, b.remainder),
  );
  order.forEach((p, i) => {
    p.w.vat = p.whole + step * (each + (BigInt(i) < extra ? 1n : 0n));
  });
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toSafe(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError('computeInvoiceTotals: amount exceeds Number.MAX_SAFE_INTEGER minor units');
  }
  return Number(value);
}
