// A dunning policy: the ordered steps of the reminder process and the rules all steps obey.
// Pure data and checks; the schedule (when a step may go out) is dunning-schedule.ts.

import { parseTimeOfDay } from './send-window.ts';

export const STEP_KINDS = ['pre_due', 'due_date', 'reminder', 'escalation'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const TONES = ['friendly', 'neutral', 'firm'] as const;
export type Tone = (typeof TONES)[number];
// Built-in templates; a merchant may override each per locale and tone (/v1/templates).
export const TEMPLATE_NAMES = ['pre_due', 'due_date', 'reminder', 'final_reminder'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface DunningStep {
  // Unique within the policy; also the exactly-once key (one message per invoice and step key).
  key: string;
  kind: StepKind;
  // From the due date: negative before it (pre_due), 0 on it (due_date), positive after.
  offset: number;
  offset_unit: 'days' | 'bank_days';
  tone: Tone;
  // Which template renders the message; null only for escalation (a hand-off, not a message).
  template: TemplateName | null;
  // Charge the policy's reminder fee with this step (if the customer agreed in time; once per invoice).
  fee: boolean;
  // Attach the invoice PDF to the e-mail.
  attach_pdf: boolean;
}

export interface DunningRules {
  // At least this many days between two messages to one customer.
  min_gap_days: number;
  // Nothing is sent from start to end (local time of the merchant's time zone), nor on a Swedish
  // public holiday or a Sunday.
  quiet_hours: { start: string; end: string };
  // The due-date reminder waits for that day's payment files, or until this local time.
  payment_file_cutoff: string;
  // Öre; null or 0: no fee. At most the legal cap (REMINDER_FEE_CAP).
  reminder_fee: number | null;
  // Late-payment interest (räntelagen): reference rate + margin, shown on reminders.
  late_interest: boolean;
  late_interest_margin_bp: number;
  // Channels to fall back to, in order, when e-mail bounces or the delivery choice has no address.
  fallback_channels: ('webhook')[];
}

// Lag (1981:739) 4 §: at most 60 kr for a written reminder.
export const REMINDER_FEE_CAP = 6000;

export const DEFAULT_STEPS: DunningStep[] = [
  { key: 'pre_due', kind: 'pre_due', offset: -3, offset_unit: 'days', tone: 'friendly', template: 'pre_due', fee: false, attach_pdf: false },
  { key: 'due_date', kind: 'due_date', offset: 0, offset_unit: 'days', tone: 'friendly', template: 'due_date', fee: false, attach_pdf: false },
  { key: 'reminder_1', kind: 'reminder', offset: 3, offset_unit: 'bank_days', tone: 'friendly', template: 'reminder', fee: false, attach_pdf: true },
  { key: 'reminder_2', kind: 'reminder', offset: 14, offset_unit: 'days', tone: 'neutral', template: 'final_reminder', fee: true, attach_pdf: true },
  { key: 'escalation', kind: 'escalation', offset: 28, offset_unit: 'days', tone: 'neutral', template: null, fee: false, attach_pdf: false },
];

// A payment plan instalment: a nudge before it falls due and one fee-free reminder, nothing more
// (a missed instalment ends the plan and the original invoices' own process takes over).
export const INSTALMENT_STEPS: DunningStep[] = [
  { key: 'pre_due', kind: 'pre_due', offset: -3, offset_unit: 'days', tone: 'friendly', template: 'pre_due', fee: false, attach_pdf: false },
  { key: 'reminder_1', kind: 'reminder', offset: 3, offset_unit: 'bank_days', tone: 'friendly', template: 'reminder', fee: false, attach_pdf: true },
];

export const DEFAULT_RULES: DunningRules = {
  min_gap_days: 2,
  quiet_hours: { start: '21:00', end: '08:00' },
  payment_file_cutoff: '10:00',
  reminder_fee: null,
  late_interest: true,
  late_interest_margin_bp: 800,
  fallback_channels: ['webhook'],
};

export const INSTALMENT_RULES: DunningRules = { ...DEFAULT_RULES, reminder_fee: null, late_interest: false };

export const MAX_STEPS = 10;
const STEP_KEY = /^[a-z0-9_]{1,40}$/;
// A year either way: further than that is a mistake, and it keeps bank-day counting bounded.
const MAX_ABS_OFFSET = 365;
const MAX_MIN_GAP_DAYS = 30;
// Räntelagen 6 §: reference rate + 8 percentage points unless agreed otherwise.
export const LEGAL_INTEREST_MARGIN_BP = 800;
const MAX_INTEREST_MARGIN_BP = 2000;
const FALLBACK_CHANNELS = ['webhook'] as const;

export interface PolicyProblem {
  field: string; // e.g. 'steps[2].offset', 'rules.reminder_fee'
  message: string;
}

/**
 * Everything wrong with a policy, so a merchant fixes it in one round; empty when valid. Checked
 * on save, so that the scheduler can trust a stored policy.
 *
 * Step order is by `offset` alone: offsets must strictly increase, whatever their unit. N bank
 * days are always at least N calendar days, so a bank-day step never comes earlier than a
 * calendar-day step with the same number, but it can come later than a calendar-day step with a
 * slightly larger one (3 bank days vs 4 days over Easter), so the scheduler must send steps in
 * policy order: such a step then simply goes out after the one before it.
 *
 * Fees: only a `reminder` step may carry the fee (before and on the due date nothing is overdue;
 * escalation sends no message), only after a fee-free due-date or reminder message (the friendly
 * steps come first), and at most one step, since the fee is charged once per invoice anyway.
 */
export function validatePolicy(steps: readonly DunningStep[], rules: DunningRules): PolicyProblem[] {
  return [...validateSteps(steps), ...validateRules(rules)];
}

function validateSteps(steps: readonly DunningStep[]): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (steps.length < 1 || steps.length > MAX_STEPS) {
    add('steps', `a policy has 1–${MAX_STEPS} steps, got ${steps.length}`);
    if (steps.length < 1) return problems;
  }
  const seen = new Set<string>();
  let feeStep: number | null = null;
  let friendlyBefore = false; // a fee-free due_date or reminder step came earlier
  steps.forEach((step, i) => {
    const at = (name: string) => `steps[${i}].${name}`;
    if (typeof step.key !== 'string' || !STEP_KEY.test(step.key)) {
      add(at('key'), 'must be 1–40 characters of a–z, 0–9 and _');
    } else if (seen.has(step.key)) {
      add(at('key'), `duplicate key ${JSON.stringify(step.key)}: keys must be unique within the policy`);
    } else {
      seen.add(step.key);
    }
    if (!STEP_KINDS.includes(step.kind)) add(at('kind'), `must be one of ${STEP_KINDS.join(', ')}`);
    if (!TONES.includes(step.tone)) add(at('tone'), `must be one of ${TONES.join(', ')}`);
    if (step.offset_unit !== 'days' && step.offset_unit !== 'bank_days') add(at('offset_unit'), 'must be days or bank_days');

    if (!Number.isInteger(step.offset) || Math.abs(step.offset) > MAX_ABS_OFFSET) {
      add(at('offset'), `must be an integer from -${MAX_ABS_OFFSET} to ${MAX_ABS_OFFSET}`);
    } else {
      const previous = steps[i - 1];
      if (previous !== undefined && Number.isInteger(previous.offset) && step.offset <= previous.offset) {
        add(at('offset'), `must be greater than the previous step's offset (${previous.offset}): steps run in order of offset`);
      }
      if (step.kind === 'pre_due' && step.offset >= 0) add(at('offset'), 'a pre_due step comes before the due date: offset < 0');
      if (step.kind === 'due_date' && step.offset !== 0) add(at('offset'), 'a due_date step is on the due date: offset 0');
      if ((step.kind === 'reminder' || step.kind === 'escalation') && step.offset <= 0) {
        add(at('offset'), `a ${step.kind} step comes after the due date: offset > 0`);
      }
    }

    if (step.kind === 'pre_due' && i !== 0) add(at('kind'), 'a pre_due step must be the first step (at most one)');
    if (step.kind === 'due_date' && steps.findIndex((s) => s.kind === 'due_date') !== i) {
      add(at('kind'), 'at most one due_date step');
    }
    if (step.kind === 'escalation' && i !== steps.length - 1) add(at('kind'), 'an escalation step must be the last step (at most one)');

    if (step.kind === 'escalation') {
      if (step.template !== null) add(at('template'), 'an escalation is a hand-off, not a message: template must be null');
    } else if (!TEMPLATE_NAMES.includes(step.template as TemplateName)) {
      add(at('template'), `a message step needs a template: one of ${TEMPLATE_NAMES.join(', ')}`);
    }

    if (step.fee === true) {
      if (step.kind !== 'reminder') {
        add(at('fee'), 'only a reminder step may charge the reminder fee (nothing is overdue before or on the due date, and an escalation sends no message)');
      } else if (!friendlyBefore) {
        add(at('fee'), 'a fee step must come after at least one fee-free due_date or reminder step');
      } else if (feeStep !== null) {
        add(at('fee'), `at most one step charges the fee (steps[${feeStep}] already does): it is charged once per invoice`);
      }
      feeStep ??= i;
    } else if (step.fee !== false) {
      add(at('fee'), 'must be true or false');
    } else if (step.kind === 'due_date' || step.kind === 'reminder') {
      friendlyBefore = true;
    }
    if (typeof step.attach_pdf !== 'boolean') add(at('attach_pdf'), 'must be true or false');
  });
  return problems;
}

function validateRules(rules: DunningRules): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (!Number.isInteger(rules.min_gap_days) || rules.min_gap_days < 0 || rules.min_gap_days > MAX_MIN_GAP_DAYS) {
    add('rules.min_gap_days', `must be a whole number of days from 0 to ${MAX_MIN_GAP_DAYS}`);
  }
  const start = parseTimeOfDay(rules.quiet_hours?.start);
  const end = parseTimeOfDay(rules.quiet_hours?.end);
  if (start === null) add('rules.quiet_hours.start', "must be a 24-hour time 'HH:MM'");
  if (end === null) add('rules.quiet_hours.end', "must be a 24-hour time 'HH:MM'");
  if (start !== null && start === end) {
    add('rules.quiet_hours.end', 'must differ from start (equal times would mean either no quiet hours or no sending at all)');
  }
  if (parseTimeOfDay(rules.payment_file_cutoff) === null) add('rules.payment_file_cutoff', "must be a 24-hour time 'HH:MM'");
  const fee = rules.reminder_fee;
  if (fee !== null) {
    if (!Number.isInteger(fee) || fee < 0) {
      add('rules.reminder_fee', 'must be null or a whole number of öre, 0 or more');
    } else if (fee > REMINDER_FEE_CAP) {
      add('rules.reminder_fee', `at most ${REMINDER_FEE_CAP} öre: lag (1981:739) 4 § caps a written reminder fee at 60 kr`);
    }
  }
  if (typeof rules.late_interest !== 'boolean') add('rules.late_interest', 'must be true or false');
  const margin = rules.late_interest_margin_bp;
  if (!Number.isInteger(margin) || margin < 0 || margin > MAX_INTEREST_MARGIN_BP) {
    add(
      'rules.late_interest_margin_bp',
      `must be whole basis points from 0 to ${MAX_INTEREST_MARGIN_BP}; the legal default (räntelagen 6 §) is ${LEGAL_INTEREST_MARGIN_BP}, 8 percentage points over the reference rate`,
    );
  }
  const channels = rules.fallback_channels;
  if (!Array.isArray(channels)) {
    add('rules.fallback_channels', `must be a list of ${FALLBACK_CHANNELS.join(', ')}`);
  } else {
    channels.forEach((c, i) => {
      if (!FALLBACK_CHANNELS.includes(c)) add(`rules.fallback_channels[${i}]`, `must be one of ${FALLBACK_CHANNELS.join(', ')}`);
      else if (channels.indexOf(c) !== i) add(`rules.fallback_channels[${i}]`, `duplicate channel ${c}`);
    });
  }
  return problems;
}
