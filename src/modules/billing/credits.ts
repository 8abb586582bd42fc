// Credits waiting for a subscription's next invoice (a downgrade's unused time) may be larger than
// that invoice. An invoice never asks for less than zero, so the credit is used up to what the
// invoice charges and the rest waits for the next one: no credit is lost. Pure functions.
import { computeInvoiceTotals, type VatRate } from '../../domain/money.ts';
import type { LineInput } from '../invoices/compose.ts';

export type PendingLine = LineInput & { pendingId: string };

const total = (lines: readonly LineInput[], currency: string, reverseCharge: boolean) =>
  computeInvoiceTotals(
    lines.map((l) => ({ quantity: l.quantity, unitAmount: l.unitAmount, taxBehavior: l.taxBehavior, vatRate: (reverseCharge ? 0 : l.vatRate) as VatRate })),
    currency,
  ).total;

/**
 * Which pending lines go on this invoice. Charges always do; credits in order while the total
 * stays at or above zero; the first credit that would take it below zero is split: `used` carries
 * the part that brings the total to zero (or just above), `remainder` what stays pending.
 */
export function fitCredits(
  base: readonly LineInput[],
  pending: readonly PendingLine[],
  currency: string,
  reverseCharge: boolean,
): { lines: PendingLine[]; split?: { pendingId: string; usedAmount: number; remainingAmount: number } } {
  const lines: PendingLine[] = [];
  const charges = pending.filter((p) => p.unitAmount * p.quantity >= 0);
  const credits = pending.filter((p) => p.unitAmount * p.quantity < 0);
  const onInvoice: LineInput[] = [...base, ...charges];
  lines.push(...charges);
  for (const credit of credits) {
    if (total([...onInvoice, credit], currency, reverseCharge) >= 0) {
      onInvoice.push(credit);
      lines.push(credit);
      continue;
    }
    // The largest part of this credit (one line, same VAT) that keeps the total at or above zero.
    const whole = credit.unitAmount * credit.quantity; // negative
    let lo = 0; // fits
    let hi = whole; // does not fit
    while (lo - hi > 1) {
      const mid = Math.trunc((lo + hi) / 2);
      if (total([...onInvoice, { ...credit, quantity: 1, unitAmount: mid }], currency, reverseCharge) >= 0) lo = mid;
      else hi = mid;
    }
    if (lo !== 0) lines.push({ ...credit, quantity: 1, unitAmount: lo });
    return { lines, split: { pendingId: credit.pendingId, usedAmount: lo, remainingAmount: whole - lo } };
  }
  return { lines };
}
