// Whether a reminder carries the påminnelseavgift, and why not when it doesn't (for logs and the
// policy preview). Lag (1981:739) om ersättning för inkassokostnader m.m.: 2 § allows the fee only
// if the debtor agreed to it no later than when the debt arose (here: when the invoice was
// finalized), 4 § caps it at 60 kr, 6 § voids any other late fee. We charge it at most once per
// invoice (sweden.md §6 ❓: one reminder fee per claim).
//
// The rules are the same for people and companies. Companies could also owe the 450 kr
// förseningsersättning (4 a §), which would absorb the reminder fee; we do not charge it, so
// customerType changes nothing yet: it is part of the input so that the rule has one place to go.

import { REMINDER_FEE_CAP } from './dunning-policy.ts';

export type ReminderFeeReason =
  | 'no_fee_step'
  | 'policy_has_no_fee'
  | 'not_agreed'
  | 'agreed_after_debt'
  | 'already_charged'
  | 'charged';

export interface ReminderFeeInput {
  stepFee: boolean; // the step is marked to charge the fee
  policyFee: number | null; // öre; null or 0: the policy has no fee
  agreedAt: Date | null; // when the customer accepted terms with the fee
  debtAroseAt: Date; // when the invoice was finalized
  alreadyCharged: number; // öre of reminder fee already charged on this invoice
  customerType: 'person' | 'company';
}

/**
 * The fee to add with this reminder (öre) and the reason: 'charged' when amount > 0, otherwise
 * the first rule that stops it, checked in the order of the reason list. Throws RangeError for a
 * policy fee over the legal cap or not whole öre (validatePolicy keeps those out of stored
 * policies) and for a negative alreadyCharged.
 */
export function reminderFee(input: ReminderFeeInput): { amount: number; reason: ReminderFeeReason } {
  const { stepFee, policyFee, agreedAt, debtAroseAt, alreadyCharged } = input;
  if (policyFee !== null && (!Number.isInteger(policyFee) || policyFee < 0 || policyFee > REMINDER_FEE_CAP)) {
    throw new RangeError(`policy reminder fee must be whole öre from 0 to ${REMINDER_FEE_CAP} (lag 1981:739 4 §), got ${policyFee}`);
  }
  if (!Number.isSafeInteger(alreadyCharged) || alreadyCharged < 0) {
    throw new RangeError(`alreadyCharged must be whole öre, 0 or more, got ${alreadyCharged}`);
  }
  if (!stepFee) return { amount: 0, reason: 'no_fee_step' };
  if (policyFee === null || policyFee === 0) return { amount: 0, reason: 'policy_has_no_fee' };
  if (agreedAt === null) return { amount: 0, reason: 'not_agreed' };
  if (agreedAt.getTime() > debtAroseAt.getTime()) return { amount: 0, reason: 'agreed_after_debt' };
  if (alreadyCharged > 0) return { amount: 0, reason: 'already_charged' };
  return { amount: policyFee, reason: 'charged' };
}
