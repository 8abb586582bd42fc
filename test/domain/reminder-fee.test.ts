import t from 'tap';
import { REMINDER_FEE_CAP } from '../../src/domain/dunning-policy.ts';
import { reminderFee, type ReminderFeeInput } from '../../src/domain/reminder-fee.ts';

const finalized = new Date('2026-11-01T10:00:00Z');
const base: ReminderFeeInput = {
  stepFee: true,
  policyFee: 6000,
  agreedAt: new Date('2026-10-01T09:00:00Z'),
  debtAroseAt: finalized,
  alreadyCharged: 0,
  customerType: 'person',
};
const fee = (over: Partial<ReminderFeeInput>) => reminderFee({ ...base, ...over });

t.test('charged when every condition holds', async (t) => {
  t.same(fee({}), { amount: 6000, reason: 'charged' });
  t.same(fee({ policyFee: 2500 }), { amount: 2500, reason: 'charged' });
  t.same(fee({ customerType: 'company' }), { amount: 6000, reason: 'charged' }, 'same rule for companies');
  t.same(fee({ agreedAt: finalized }), { amount: 6000, reason: 'charged' }, 'agreed at the moment the debt arose');
});

t.test('each reason for not charging', async (t) => {
  t.same(fee({ stepFee: false }), { amount: 0, reason: 'no_fee_step' });
  t.same(fee({ policyFee: null }), { amount: 0, reason: 'policy_has_no_fee' });
  t.same(fee({ policyFee: 0 }), { amount: 0, reason: 'policy_has_no_fee' });
  t.same(fee({ agreedAt: null }), { amount: 0, reason: 'not_agreed' });
  t.same(fee({ agreedAt: new Date(finalized.getTime() + 1) }), { amount: 0, reason: 'agreed_after_debt' }, 'a millisecond late');
  t.same(fee({ alreadyCharged: 6000 }), { amount: 0, reason: 'already_charged' });
  t.same(fee({ alreadyCharged: 1 }), { amount: 0, reason: 'already_charged' });
});

t.test('the first reason wins, in the documented order', async (t) => {
  const nothing = { stepFee: false, policyFee: null, agreedAt: null, alreadyCharged: 6000 };
  t.equal(fee(nothing).reason, 'no_fee_step');
  t.equal(fee({ ...nothing, stepFee: true }).reason, 'policy_has_no_fee');
  t.equal(fee({ ...nothing, stepFee: true, policyFee: 6000 }).reason, 'not_agreed');
  t.equal(fee({ ...nothing, stepFee: true, policyFee: 6000, agreedAt: new Date('2026-12-01T00:00:00Z') }).reason, 'agreed_after_debt');
  t.equal(fee({ ...nothing, stepFee: true, policyFee: 6000, agreedAt: base.agreedAt }).reason, 'already_charged');
});

t.test('a policy fee outside the law is a bug, not a reason', async (t) => {
  t.throws(() => fee({ policyFee: REMINDER_FEE_CAP + 1 }), /lag 1981:739 4 §/);
  t.throws(() => fee({ policyFee: REMINDER_FEE_CAP + 1, stepFee: false }), RangeError, 'even on a step without a fee');
  t.throws(() => fee({ policyFee: -1 }), RangeError);
  t.throws(() => fee({ policyFee: 59.5 }), RangeError);
  t.throws(() => fee({ alreadyCharged: -1 }), RangeError);
  t.throws(() => fee({ alreadyCharged: 0.5 }), RangeError);
});
