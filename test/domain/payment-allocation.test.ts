import t from 'tap';
import fc from 'fast-check';
import { allocatePayment, creditToApply, settlementState, splitRefund } from '../../src/domain/payment-allocation.ts';

const amount = fc.integer({ min: 1, max: 1e12 });
const target = fc.option(fc.record({ remaining: fc.integer({ min: 0, max: 1e12 }), payable: fc.boolean() }), { nil: null });

t.test('allocation: amounts add up, nothing negative, never more than the invoice asks', async (t) => {
  fc.assert(
    fc.property(amount, target, fc.boolean(), (a, tg, credit) => {
      const r = allocatePayment(a, tg, credit);
      const parts = [r.toInvoice, r.toCredit, r.unapplied];
      if (parts.some((p) => p < 0 || !Number.isSafeInteger(p))) return false;
      if (r.toInvoice + r.toCredit + r.unapplied !== a) return false;
      if (tg === null || !tg.payable) return r.toInvoice === 0;
      if (r.toInvoice > tg.remaining) return false;
      if (!credit && r.toCredit !== 0) return false;
      if (credit && r.unapplied !== 0) return false;
      return r.toInvoice === Math.min(a, tg.remaining);
    }),
  );
  t.pass();
});

t.test('allocation cases', async (t) => {
  t.same(allocatePayment(100, { remaining: 100, payable: true }, true), { toInvoice: 100, toCredit: 0, unapplied: 0 }, 'exact');
  t.same(allocatePayment(60, { remaining: 100, payable: true }, true), { toInvoice: 60, toCredit: 0, unapplied: 0 }, 'partial');
  t.same(allocatePayment(150, { remaining: 100, payable: true }, true), { toInvoice: 100, toCredit: 50, unapplied: 0 }, 'over: credit');
  t.same(allocatePayment(150, { remaining: 100, payable: false }, true), { toInvoice: 0, toCredit: 150, unapplied: 0 }, 'paid already: all credit');
  t.same(allocatePayment(150, null, false), { toInvoice: 0, toCredit: 0, unapplied: 150 }, 'unknown: unapplied');
  t.throws(() => allocatePayment(0, null, false), RangeError);
  t.throws(() => allocatePayment(1.5, null, false), RangeError);
});

t.test('refund split: adds up, takes nothing a part does not hold, refuses more than the payment holds', async (t) => {
  const part = fc.integer({ min: 0, max: 1e12 });
  fc.assert(
    fc.property(part, part, part, amount, (applied, credited, unapplied, a) => {
      const s = splitRefund({ applied, credited, unapplied }, a);
      if (a > applied + credited + unapplied) return s === null;
      if (!s) return false;
      if (s.fromUnapplied + s.fromCredit + s.fromInvoice !== a) return false;
      if (s.fromUnapplied < 0 || s.fromCredit < 0 || s.fromInvoice < 0) return false;
      if (s.fromUnapplied > unapplied || s.fromCredit > credited || s.fromInvoice > applied) return false;
      // Order: the invoice is reopened only when nothing else is left.
      return s.fromInvoice === 0 || (s.fromUnapplied === unapplied && s.fromCredit === credited);
    }),
  );
  t.same(splitRefund({ applied: 100, credited: 50, unapplied: 0 }, 70), { fromUnapplied: 0, fromCredit: 50, fromInvoice: 20 });
  t.equal(splitRefund({ applied: 100, credited: 0, unapplied: 0 }, 101), null);
});

t.test('credit to apply and settlement state', async (t) => {
  t.equal(creditToApply(500, 19900), 500);
  t.equal(creditToApply(50000, 19900), 19900);
  t.equal(creditToApply(0, 19900), 0);
  t.equal(settlementState(0, 0), 'paid');
  t.equal(settlementState(100, 0), 'open');
  t.equal(settlementState(100, 1), 'partially_paid');
});
