// A dunning policy: the ordered steps of the reminder process and the rules all steps obey.
// Pure data and checks; the schedule (when a step may go out) is dunning-schedule.ts.

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

export const DEFAULT_RULES: DunningRules = {
  min_gap_days: 3,
  quiet_hours: { start: '21:00', end: '08:00' },
  payment_file_cutoff: '10:00',
  reminder_fee: null,
  late_interest: true,
  late_interest_margin_bp: 800,
  fallback_channels: ['webhook'],
};
