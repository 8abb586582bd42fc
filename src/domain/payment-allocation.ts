// Where a payment's money goes, and where a refund takes it from. Pure functions on integer öre;
// the service locks the rows and feeds them the amounts as they are under the lock.

/** The invoice a payment was matched to, as it is right now (null: none). */
export type AllocationTarget = { remaining: number; payable: boolean } | null;

export type Allocation = { toInvoice: number; toCredit: number; unapplied: number };

/**
 * A payment's split: as much as the matched invoice still asks for (never more: nothing is paid
 * twice), the rest to the customer's credit when the customer is known (an overpayment), else
 * left unapplied for the merchant to assign (the unmatched queue).
 */
export function allocatePayment(amount: number, target: AllocationTarget, creditAllowed: boolean): Allocation {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`A payment amount is a positive integer, not ${amount}`);
  const toInvoice = target && target.payable ? Math.min(amount, Math.max(0, target.remaining)) : 0;
  const rest = amount - toInvoice;
  return creditAllowed ? { toInvoice, toCredit: rest, unapplied: 0 } : { toInvoice, toCredit: 0, unapplied: rest };
}

export type PaymentParts = { applied: number; credited: number; unapplied: number };
export type RefundSplit = { fromUnapplied: number; fromCredit: number; fromInvoice: number };

/**
 * Where a refund of `amount` comes from: first what was never applied, then the credit the payment
 * left with its customer (the overpayment), last what it paid on its invoice (which reopens that
 * much). Null when the payment holds less than `amount`.
 */
export function splitRefund(parts: PaymentParts, amount: number): RefundSplit | null {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`A refund amount is a positive integer, not ${amount}`);
  if (amount > parts.unapplied + parts.credited + parts.applied) return null;
  const fromUnapplied = Math.min(parts.unapplied, amount);
  const fromCredit = Math.min(parts.credited, amount - fromUnapplied);
  const fromInvoice = amount - fromUnapplied - fromCredit;
  return { fromUnapplied, fromCredit, fromInvoice };
}

/** Credit used on an invoice at finalisation: as much of the balance as the invoice asks for. */
export function creditToApply(balance: number, remaining: number): number {
  return Math.max(0, Math.min(balance, remaining));
}

export type SettlementState = 'open' | 'partially_paid' | 'paid';

/** An invoice's state from what it asks for and what settled it (payments, credit, credit notes). */
export function settlementState(remaining: number, paidOrFromBalance: number): SettlementState {
  if (remaining <= 0) return 'paid';
  return paidOrFromBalance > 0 ? 'partially_paid' : 'open';
}
