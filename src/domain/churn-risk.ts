// Churn risk as a pure function: a customer's signals (what we saw of them in billing, payments
// and dunning) in, a score 0–100, a level and the reasons that drove it out. Transparent on
// purpose: every point of the score is one reason's contribution, each a weight times a capped
// count, so a merchant (and their CRM) can see why and tune the weights.
//
// Monotone by construction: every contribution is a non-negative weight times a non-decreasing
// function of its signal, and the score is their capped sum, so more lateness, more reminders or
// another failed collection never lower it (test/domain/churn-risk.test.ts checks it with fast-check).

export const CHURN_RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type ChurnRiskLevel = (typeof CHURN_RISK_LEVELS)[number];

// Levels: score ≥ 60 is high, ≥ 30 medium, below 30 low.
export const LEVEL_THRESHOLDS = { medium: 30, high: 60 } as const;

export const EXIT_REASONS = ['too_expensive', 'switched_provider', 'no_longer_needed', 'payment_problems', 'unhappy_with_service', 'other'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/** What the score is computed from; the store reads these over a recent window (LOOKBACK_DAYS). */
export type ChurnSignals = {
  /** Reminder messages (step kind `reminder` or `escalation`) the customer received. */
  reminders: number;
  /** The furthest step any of their invoices reached: 0 none, 1 first reminder, 2 a second or later reminder, 3 escalation. */
  furthestStep: 0 | 1 | 2 | 3;
  /** The most days any recent invoice was (or still is) paid after its due date. */
  maxDaysLate: number;
  /** Recent invoices paid late or still unpaid after their due date. */
  lateInvoices: number;
  /** Card or autogiro collection attempts declined or failed. */
  failedCollections: number;
  /** A payment plan running now, or one that defaulted recently. */
  paymentPlan: 'none' | 'active' | 'defaulted';
  /** A recent downgrade (a subscription change whose prorations credit more than they charge). */
  downgraded: boolean;
  /** A subscription paused now. */
  paused: boolean;
  /** A subscription set to cancel at the end of its period. */
  cancelAtPeriodEnd: boolean;
  /** Invoices the customer disputed. */
  disputes: number;
  /** How they pay: automatic (card, autogiro, Swish collection) or manual (bankgiro transfer, e-invoice). */
  paymentMethod: 'automatic' | 'manual';
  /** They changed from an automatic payment method to a manual one recently. */
  leftAutomaticPayment: boolean;
  /** A message to them bounced (their delivery channel does not reach them). */
  deliveryBounced: boolean;
  /** Whole months since they first subscribed. */
  tenureMonths: number;
  /** A returning customer's reason for leaving the last time; null for everyone else. */
  earlierExitReason: ExitReason | null;
};

export const CHURN_RISK_WEIGHT_KEYS = [
  'reminder',
  'reminder_step',
  'days_late',
  'late_invoice',
  'failed_collection',
  'payment_plan_active',
  'payment_plan_defaulted',
  'downgrade',
  'pause',
  'cancel_at_period_end',
  'dispute',
  'manual_payment',
  'left_automatic_payment',
  'delivery_bounced',
  'short_tenure',
  'earlier_exit',
] as const;
export type ReasonCode = (typeof CHURN_RISK_WEIGHT_KEYS)[number];
export type ChurnRiskWeights = Record<ReasonCode, number>;

/** A weight is a whole number of points, 0 to MAX_WEIGHT. */
export const MAX_WEIGHT = 100;

/** Points per unit of each signal (see UNITS for what a unit is). */
export const DEFAULT_WEIGHTS: ChurnRiskWeights = {
  reminder: 6,
  reminder_step: 8,
  days_late: 3,
  late_invoice: 3,
  failed_collection: 10,
  payment_plan_active: 10,
  payment_plan_defaulted: 25,
  downgrade: 10,
  pause: 12,
  cancel_at_period_end: 35,
  dispute: 12,
  manual_payment: 8,
  left_automatic_payment: 12,
  delivery_bounced: 10,
  short_tenure: 10,
  earlier_exit: 12,
};

// Caps keep one noisy signal from filling the score alone.
const MAX_REMINDERS = 4;
const MAX_LATE_INVOICES = 5;
const MAX_FAILED = 3;
const MAX_DISPUTES = 2;
const DAYS_LATE_UNIT = 7;
const MAX_DAYS_LATE = 63;

// How much of earlier_exit each earlier reason carries: leaving over money or service says more.
const EXIT_FACTOR: Record<ExitReason, number> = {
  payment_problems: 1,
  too_expensive: 1,
  unhappy_with_service: 1,
  switched_provider: 0.75,
  no_longer_needed: 0.5,
  other: 0.5,
};

export type ChurnReason = { code: ReasonCode; contribution: number; detail: string };
export type ChurnRisk = { score: number; level: ChurnRiskLevel; reasons: ChurnReason[]; suggestedAction: string | null };

export function levelFor(score: number): ChurnRiskLevel {
  if (score >= LEVEL_THRESHOLDS.high) return 'high';
  if (score >= LEVEL_THRESHOLDS.medium) return 'medium';
  return 'low';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const STEP_NAMES = ['', 'a first reminder', 'a second reminder', 'escalation'] as const;

/** The signals' reasons, each `weight × units` (rounded down), largest first; zero contributions left out. */
export function churnRisk(s: ChurnSignals, weights: ChurnRiskWeights = DEFAULT_WEIGHTS): ChurnRisk {
  const w = weights;
  const all: ChurnReason[] = [];
  const add = (code: ReasonCode, units: number, detail: string) => {
    const contribution = Math.floor(w[code] * Math.max(0, units));
    if (contribution > 0) all.push({ code, contribution, detail });
  };
  add('reminder', Math.min(s.reminders, MAX_REMINDERS), `${plural(s.reminders, 'reminder')} received`);
  add('reminder_step', s.furthestStep, `an invoice reached ${STEP_NAMES[s.furthestStep]}`);
  const late = Math.min(Math.max(0, s.maxDaysLate), MAX_DAYS_LATE);
  add('days_late', late / DAYS_LATE_UNIT, `paid up to ${plural(s.maxDaysLate, 'day')} late`);
  add('late_invoice', Math.min(s.lateInvoices, MAX_LATE_INVOICES), `${plural(s.lateInvoices, 'invoice')} paid late or overdue`);
  add('failed_collection', Math.min(s.failedCollections, MAX_FAILED), `${plural(s.failedCollections, 'collection')} declined or failed`);
  if (s.paymentPlan === 'active') add('payment_plan_active', 1, 'pays by a payment plan');
  if (s.paymentPlan === 'defaulted') add('payment_plan_defaulted', 1, 'a payment plan defaulted');
  if (s.downgraded) add('downgrade', 1, 'downgraded their subscription');
  if (s.paused) add('pause', 1, 'a subscription is paused');
  if (s.cancelAtPeriodEnd) add('cancel_at_period_end', 1, 'a subscription cancels at the end of its period');
  add('dispute', Math.min(s.disputes, MAX_DISPUTES), `${plural(s.disputes, 'invoice')} disputed`);
  if (s.paymentMethod === 'manual') add('manual_payment', 1, 'pays by manual transfer, not automatic collection');
  if (s.leftAutomaticPayment) add('left_automatic_payment', 1, 'changed from automatic payment to manual');
  if (s.deliveryBounced) add('delivery_bounced', 1, 'a message to them bounced');
  // Tenure: full weight in the first 3 months, half up to a year, none after.
  const tenure = s.tenureMonths < 3 ? 1 : s.tenureMonths < 12 ? 0.5 : 0;
  add('short_tenure', tenure, `a customer for ${plural(Math.max(0, s.tenureMonths), 'month')}`);
  if (s.earlierExitReason) add('earlier_exit', EXIT_FACTOR[s.earlierExitReason], `left before (${s.earlierExitReason.replaceAll('_', ' ')}) and came back`);

  const reasons = all.sort((a, b) => b.contribution - a.contribution || a.code.localeCompare(b.code));
  const score = Math.min(100, reasons.reduce((sum, r) => sum + r.contribution, 0));
  const level = levelFor(score);
  return { score, level, reasons, suggestedAction: level === 'low' ? null : suggestedAction(reasons, s) };
}

/**
 * What a CRM task should say: the action whose reasons add up to the most points. Tenure and an
 * earlier exit are context, not something to act on, so they decide only when nothing else does.
 */
function suggestedAction(reasons: readonly ChurnReason[], s: ChurnSignals): string {
  const totals = new Map<string, number>();
  for (const r of reasons) {
    const action = actionFor(r.code, s);
    if (action) totals.set(action, (totals.get(action) ?? 0) + r.contribution);
  }
  let best: [string, number] = ['check in with the customer', 0];
  for (const [action, points] of totals) if (points > best[1]) best = [action, points];
  return best[0];
}

function actionFor(code: ReasonCode, s: ChurnSignals): string | null {
  switch (code) {
    case 'reminder':
    case 'reminder_step':
      return s.furthestStep < 2 ? 'call before the second reminder' : 'offer a payment plan';
    case 'days_late':
    case 'late_invoice':
      return s.paymentPlan === 'active' ? 'call about the payment plan' : 'offer a payment plan';
    case 'payment_plan_active':
    case 'payment_plan_defaulted':
      return 'call about the payment plan';
    case 'failed_collection':
      return 'ask the customer to update their payment method';
    case 'manual_payment':
    case 'left_automatic_payment':
      return 'ask to switch to autogiro';
    case 'downgrade':
    case 'pause':
    case 'cancel_at_period_end':
      return 'call before the period ends and ask what would make them stay';
    case 'dispute':
      return 'resolve the disputed invoice';
    case 'delivery_bounced':
      return 'ask for a working e-mail address';
    case 'short_tenure':
    case 'earlier_exit':
      return null;
  }
}

export type WeightsError = { field: string; message: string };

/**
 * A merchant's `churn_risk_weights`: some of the known keys, each a whole number 0–MAX_WEIGHT; the
 * keys left out keep their defaults. Errors name the field (`churn_risk_weights.<key>`).
 */
export function parseWeights(input: unknown): { ok: true; value: Partial<ChurnRiskWeights> } | { ok: false; errors: WeightsError[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ field: 'churn_risk_weights', message: 'must be an object of weights, e.g. {"reminder": 6}' }] };
  }
  const errors: WeightsError[] = [];
  const value: Partial<ChurnRiskWeights> = {};
  for (const [key, v] of Object.entries(input)) {
    const field = `churn_risk_weights.${key}`;
    if (!(CHURN_RISK_WEIGHT_KEYS as readonly string[]).includes(key)) errors.push({ field, message: `is not a weight; the weights are ${CHURN_RISK_WEIGHT_KEYS.join(', ')}` });
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_WEIGHT) errors.push({ field, message: `must be a whole number from 0 to ${MAX_WEIGHT}` });
    else value[key as ReasonCode] = v;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** The weights in force: the merchant's over the defaults. */
export const weightsWith = (overrides: Partial<ChurnRiskWeights> | null | undefined): ChurnRiskWeights => ({ ...DEFAULT_WEIGHTS, ...overrides });

/** No signal at all: a long-standing customer paying automatically without a hitch. */
export const QUIET_SIGNALS: ChurnSignals = {
  reminders: 0,
  furthestStep: 0,
  maxDaysLate: 0,
  lateInvoices: 0,
  failedCollections: 0,
  paymentPlan: 'none',
  downgraded: false,
  paused: false,
  cancelAtPeriodEnd: false,
  disputes: 0,
  paymentMethod: 'automatic',
  leftAutomaticPayment: false,
  deliveryBounced: false,
  tenureMonths: 24,
  earlierExitReason: null,
};
