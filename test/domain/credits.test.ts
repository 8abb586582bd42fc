// fitCredits: an invoice takes credits up to its own amount and never goes below zero; what it
// does not take stays pending, to the öre.
import t from 'tap';
import fc from 'fast-check';
import { fitCredits, type PendingLine } from '../../src/modules/billing/credits.ts';
import { computeInvoiceTotals, type VatRate } from '../../src/domain/money.ts';
import type { LineInput } from '../../src/modules/invoices/compose.ts';

const total = (lines: LineInput[]) =>
  computeInvoiceTotals(lines.map((l) => ({ quantity: l.quantity, unitAmount: l.unitAmount, taxBehavior: l.taxBehavior, vatRate: l.vatRate as VatRate })), 'SEK').total;

const rate = fc.constantFrom(25, 12, 6, 0);
const behavior = fc.constantFrom('exclusive' as const, 'inclusive' as const);
const charge = fc.record({ description: fc.constant('x'), quantity: fc.integer({ min: 1, max: 5 }), unitAmount: fc.integer({ min: 0, max: 500_000 }), taxBehavior: behavior, vatRate: rate });
const credit = fc.record({ description: fc.constant('credit'), quantity: fc.integer({ min: 1, max: 3 }), unitAmount: fc.integer({ min: -800_000, max: -1 }), taxBehavior: behavior, vatRate: rate });

t.test('the invoice never goes below zero and no credit is lost', async (t) => {
  fc.assert(
    fc.property(fc.array(charge, { minLength: 1, maxLength: 4 }), fc.array(credit, { maxLength: 4 }), (base, credits) => {
      const pending: PendingLine[] = credits.map((c, i) => ({ ...c, pendingId: `p${i}` }));
      const fit = fitCredits(base, pending, 'SEK', false);
      const onInvoice = [...base, ...fit.lines];
      if (total(onInvoice) < 0) return false;
      // Every credit is on the invoice in full, split (used + remaining = whole), or still pending.
      for (const p of pending) {
        const whole = p.unitAmount * p.quantity;
        const used = fit.lines.filter((l) => l.pendingId === p.pendingId).reduce((s, l) => s + l.unitAmount * l.quantity, 0);
        if (fit.split?.pendingId === p.pendingId) {
          if (fit.split.usedAmount !== used || fit.split.usedAmount + fit.split.remainingAmount !== whole) return false;
          // As much as fits: one öre more of this credit would take the total below zero.
          if (total([...onInvoice.filter((l) => (l as PendingLine).pendingId !== p.pendingId), { ...p, quantity: 1, unitAmount: used - 1 }]) >= 0) return false;
        } else if (used !== 0 && used !== whole) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass('500 random invoices with credits');
});

t.test('a credit larger than the invoice is split', async (t) => {
  const base: LineInput[] = [{ description: 'Liten', quantity: 1, unitAmount: 1000, taxBehavior: 'exclusive', vatRate: 25 }];
  const fit = fitCredits(base, [{ pendingId: 'p', description: 'Unused', quantity: 1, unitAmount: -93333, taxBehavior: 'exclusive', vatRate: 25 }], 'SEK', false);
  t.same(fit.split, { pendingId: 'p', usedAmount: -1000, remainingAmount: -92333 });
  t.equal(total([...base, ...fit.lines]), 0);
});
