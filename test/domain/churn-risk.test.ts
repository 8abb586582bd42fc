import t from 'tap';
import fc from 'fast-check';
import {
  CHURN_RISK_WEIGHT_KEYS,
  DEFAULT_WEIGHTS,
  EXIT_REASONS,
  MAX_WEIGHT,
  QUIET_SIGNALS,
  churnRisk,
  levelFor,
  parseWeights,
  type ChurnRiskWeights,
  type ChurnSignals,
} from '../../src/domain/churn-risk.ts';

const signals: fc.Arbitrary<ChurnSignals> = fc.record({
  reminders: fc.nat(12),
  furthestStep: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
  maxDaysLate: fc.nat(200),
  lateInvoices: fc.nat(12),
  failedCollections: fc.nat(8),
  paymentPlan: fc.constantFrom('none' as const, 'active' as const, 'defaulted' as const),
  downgraded: fc.boolean(),
  paused: fc.boolean(),
  cancelAtPeriodEnd: fc.boolean(),
  disputes: fc.nat(4),
  paymentMethod: fc.constantFrom('automatic' as const, 'manual' as const),
  leftAutomaticPayment: fc.boolean(),
  deliveryBounced: fc.boolean(),
  tenureMonths: fc.nat(120),
  earlierExitReason: fc.option(fc.constantFrom(...EXIT_REASONS), { nil: null }),
});
const weights: fc.Arbitrary<ChurnRiskWeights> = fc.record(
  Object.fromEntries(CHURN_RISK_WEIGHT_KEYS.map((k) => [k, fc.integer({ min: 0, max: MAX_WEIGHT })])) as Record<keyof ChurnRiskWeights, fc.Arbitrary<number>>,
);

t.test('a quiet customer is low risk with no reasons', async (t) => {
  const r = churnRisk(QUIET_SIGNALS);
  t.same(r, { score: 0, level: 'low', reasons: [], suggestedAction: null });
});

t.test('by hand: two reminders, 20 days late, a failed card payment', async (t) => {
  const r = churnRisk({ ...QUIET_SIGNALS, reminders: 2, furthestStep: 2, maxDaysLate: 20, lateInvoices: 1, failedCollections: 1 });
  // reminder 2×6 = 12, reminder_step 2×8 = 16, days_late ⌊3×20/7⌋ = 8, late_invoice 3, failed_collection 10: 49.
  t.same(
    r.reasons.map((x) => [x.code, x.contribution]),
    [
      ['reminder_step', 16],
      ['reminder', 12],
      ['failed_collection', 10],
      ['days_late', 8],
      ['late_invoice', 3],
    ],
  );
  t.equal(r.score, 49);
  t.equal(r.level, 'medium');
  t.equal(r.suggestedAction, 'offer a payment plan');
  t.equal(r.reasons[0]!.detail, 'an invoice reached a second reminder');
});

t.test('levels and actions', async (t) => {
  t.equal(levelFor(29), 'low');
  t.equal(levelFor(30), 'medium');
  t.equal(levelFor(59), 'medium');
  t.equal(levelFor(60), 'high');
  const manual = churnRisk({ ...QUIET_SIGNALS, paymentMethod: 'manual', leftAutomaticPayment: true, tenureMonths: 1 });
  t.equal(manual.score, 30);
  t.equal(manual.suggestedAction, 'ask to switch to autogiro');
  const first = churnRisk({ ...QUIET_SIGNALS, reminders: 2, furthestStep: 1, paymentMethod: 'manual', tenureMonths: 2 });
  t.equal(first.level, 'medium');
  t.equal(first.suggestedAction, 'call before the second reminder');
  t.equal(churnRisk({ ...QUIET_SIGNALS, cancelAtPeriodEnd: true, earlierExitReason: 'too_expensive' }).suggestedAction, 'call before the period ends and ask what would make them stay');
});

t.test('the suggested action: the one whose reasons add up most; tenure and an earlier exit only as context', async (t) => {
  // short_tenure 10 + earlier_exit 12 outweigh manual_payment 8, but are context: switch to autogiro.
  t.equal(churnRisk({ ...QUIET_SIGNALS, tenureMonths: 0, earlierExitReason: 'too_expensive', paymentMethod: 'manual' }).suggestedAction, 'ask to switch to autogiro');
  // Reminders (6 + 8) together outweigh the manual payment (8) even though each alone does not.
  t.equal(churnRisk({ ...QUIET_SIGNALS, reminders: 1, furthestStep: 1, paymentMethod: 'manual', tenureMonths: 0 }).suggestedAction, 'call before the second reminder');
  // Only context: check in.
  const contextOnly = churnRisk({ ...QUIET_SIGNALS, tenureMonths: 0, earlierExitReason: 'payment_problems' }, { ...DEFAULT_WEIGHTS, short_tenure: 20 });
  t.equal(contextOnly.level, 'medium');
  t.equal(contextOnly.suggestedAction, 'check in with the customer');
});

t.test('the score is capped at 100 and reasons are sorted by contribution', async (t) => {
  fc.assert(
    fc.property(signals, weights, (s, w) => {
      const r = churnRisk(s, w);
      if (r.score < 0 || r.score > 100 || !Number.isInteger(r.score)) return false;
      if (r.level !== levelFor(r.score)) return false;
      for (let i = 1; i < r.reasons.length; i++) if (r.reasons[i - 1]!.contribution < r.reasons[i]!.contribution) return false;
      return r.score === Math.min(100, r.reasons.reduce((a, x) => a + x.contribution, 0));
    }),
  );
});

t.test('monotone: more lateness, more reminders or a failed collection never lower the score', async (t) => {
  const worse = fc.record({
    reminders: fc.nat(5),
    step: fc.nat(3),
    days: fc.nat(90),
    late: fc.nat(5),
    failed: fc.nat(3),
  });
  fc.assert(
    fc.property(signals, weights, worse, (s, w, d) => {
      const more: ChurnSignals = {
        ...s,
        reminders: s.reminders + d.reminders,
        furthestStep: Math.min(3, s.furthestStep + d.step) as ChurnSignals['furthestStep'],
        maxDaysLate: s.maxDaysLate + d.days,
        lateInvoices: s.lateInvoices + d.late,
        failedCollections: s.failedCollections + d.failed,
      };
      const before = churnRisk(s, w);
      const after = churnRisk(more, w);
      return after.score >= before.score && CHURN_RISK_LEVELS_ORDER[after.level] >= CHURN_RISK_LEVELS_ORDER[before.level];
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 runs');
});
const CHURN_RISK_LEVELS_ORDER = { low: 0, medium: 1, high: 2 } as const;

t.test('each single step worse is never lower, with the default weights too', async (t) => {
  fc.assert(
    fc.property(signals, (s) => {
      const base = churnRisk(s).score;
      return (
        churnRisk({ ...s, maxDaysLate: s.maxDaysLate + 1 }).score >= base &&
        churnRisk({ ...s, reminders: s.reminders + 1 }).score >= base &&
        churnRisk({ ...s, failedCollections: s.failedCollections + 1 }).score >= base
      );
    }),
  );
  t.pass();
});

t.test('weights are validated, naming the field', async (t) => {
  t.same(parseWeights({ reminder: 10, dispute: 0 }), { ok: true, value: { reminder: 10, dispute: 0 } });
  t.same(parseWeights({}), { ok: true, value: {} });
  const bad = parseWeights({ reminder: -1, days_late: 2.5, nonsense: 3, dispute: MAX_WEIGHT + 1, pause: '5' });
  t.equal(bad.ok, false);
  if (!bad.ok) t.same(bad.errors.map((e) => e.field), ['churn_risk_weights.reminder', 'churn_risk_weights.days_late', 'churn_risk_weights.nonsense', 'churn_risk_weights.dispute', 'churn_risk_weights.pause']);
  t.equal(parseWeights([1]).ok, false);
  t.equal(parseWeights(null).ok, false);
  t.equal(Object.keys(DEFAULT_WEIGHTS).length, CHURN_RISK_WEIGHT_KEYS.length);
});
