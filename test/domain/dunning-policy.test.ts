import t from 'tap';
import {
  DEFAULT_RULES,
  DEFAULT_STEPS,
  REMINDER_FEE_CAP,
  validatePolicy,
  type DunningRules,
  type DunningStep,
} from '../../src/domain/dunning-policy.ts';

const step = (over: Partial<DunningStep> & Pick<DunningStep, 'key' | 'kind' | 'offset'>): DunningStep => ({
  offset_unit: 'days',
  tone: 'friendly',
  template: over.kind === 'escalation' ? null : 'reminder',
  fee: false,
  attach_pdf: false,
  ...over,
});
const rules = (over: Partial<DunningRules> = {}): DunningRules => ({ ...DEFAULT_RULES, ...over });
const fields = (steps: DunningStep[], r: DunningRules = DEFAULT_RULES) => validatePolicy(steps, r).map((p) => p.field);

const due = step({ key: 'due', kind: 'due_date', offset: 0, template: 'due_date' });
const r1 = step({ key: 'r1', kind: 'reminder', offset: 3 });
const r2 = step({ key: 'r2', kind: 'reminder', offset: 10, template: 'final_reminder' });

t.test('the defaults are valid', async (t) => {
  t.same(validatePolicy(DEFAULT_STEPS, DEFAULT_RULES), []);
  t.same(validatePolicy([r1], DEFAULT_RULES), [], 'one reminder is enough');
  t.same(validatePolicy([step({ key: 'esc', kind: 'escalation', offset: 20 })], DEFAULT_RULES), [], 'so is a lone escalation');
});

t.test('step count and keys', async (t) => {
  t.same(fields([]), ['steps']);
  const eleven = Array.from({ length: 11 }, (_, i) => step({ key: `r${i}`, kind: 'reminder', offset: i + 1 }));
  t.same(fields(eleven), ['steps']);
  t.same(fields(eleven.slice(0, 10)), [], 'ten is fine');

  t.same(fields([r1, { ...r2, key: 'r1' }]), ['steps[1].key'], 'duplicate key');
  for (const bad of ['', 'Reminder', 'reminder-1', 'påminnelse', 'a'.repeat(41), ' r1']) {
    t.same(fields([{ ...r1, key: bad }]), ['steps[0].key'], JSON.stringify(bad));
  }
  t.same(fields([{ ...r1, key: 'a'.repeat(40) }]), [], '40 characters');
  const [problem] = validatePolicy([r1, { ...r2, key: 'r1' }], DEFAULT_RULES);
  t.match(problem?.message, /duplicate key "r1"/);
});

t.test('offsets: strictly increasing, and on the right side of the due date', async (t) => {
  t.same(fields([due, { ...r1, offset: 3 }, { ...r2, offset: 3 }]), ['steps[2].offset'], 'equal offsets');
  t.same(fields([due, { ...r1, offset: 5 }, { ...r2, offset: 4 }]), ['steps[2].offset'], 'decreasing');
  t.same(
    fields([due, { ...r1, offset: 3, offset_unit: 'bank_days' }, { ...r2, offset: 3, offset_unit: 'days' }]),
    ['steps[2].offset'],
    'the number decides, whatever the unit',
  );
  t.same(fields([due, { ...r1, offset: 3, offset_unit: 'bank_days' }, { ...r2, offset: 4 }]), []);
  t.same(fields([step({ key: 'pre', kind: 'pre_due', offset: 0, template: 'pre_due' }), r1]), ['steps[0].offset'], 'pre_due at 0');
  t.same(fields([{ ...due, offset: 1 }, { ...r1, offset: 3 }]), ['steps[0].offset'], 'due_date off the due date');
  t.same(fields([{ ...due, offset: 0, offset_unit: 'bank_days' }, r1]), [], 'due_date 0 bank days');
  t.same(fields([{ ...r1, offset: 0 }]), ['steps[0].offset'], 'reminder at 0');
  t.same(fields([{ ...r1, offset: -2 }]), ['steps[0].offset'], 'reminder before the due date');
  t.same(fields([due, step({ key: 'esc', kind: 'escalation', offset: 0 })]), ['steps[1].offset', 'steps[1].offset'], 'escalation at 0: not increasing, not after');
  for (const bad of [1.5, 366, -366, Number.NaN]) t.same(fields([{ ...r1, offset: bad }]), ['steps[0].offset'], String(bad));
  t.same(fields([{ ...r1, offset: 365 }]), []);
});

t.test('kinds: one pre_due first, one due_date, one escalation last', async (t) => {
  const pre = step({ key: 'pre', kind: 'pre_due', offset: -3, template: 'pre_due' });
  const esc = step({ key: 'esc', kind: 'escalation', offset: 30 });
  t.same(fields([pre, due, r1, r2, esc]), []);
  t.same(fields([{ ...pre, key: 'pre0', offset: -5 }, pre, due]), ['steps[1].kind'], 'two pre_due');
  t.same(fields([due, { ...due, key: 'due2', offset: 0 }]), ['steps[1].offset', 'steps[1].kind'], 'two due_date');
  t.same(fields([r1, esc, { ...r2, offset: 40 }]), ['steps[1].kind'], 'escalation not last');
  t.same(fields([r1, { ...esc, key: 'e1', offset: 20 }, esc]), ['steps[1].kind'], 'two escalations');
  t.same(fields([{ ...esc, template: 'reminder' }]), ['steps[0].template'], 'escalation with a template');
  t.same(fields([{ ...r1, template: null }]), ['steps[0].template'], 'message step without a template');
  t.same(fields([{ ...r1, kind: 'nagging' as never }]), ['steps[0].kind']);
  t.same(fields([{ ...r1, tone: 'angry' as never }]), ['steps[0].tone']);
  t.same(fields([{ ...r1, offset_unit: 'weeks' as never }]), ['steps[0].offset_unit']);
  t.same(fields([{ ...r1, template: 'invoice' as never }]), ['steps[0].template']);
  t.same(fields([{ ...r1, attach_pdf: 'yes' as never }]), ['steps[0].attach_pdf']);
});

t.test('fees: one reminder step, after a friendly fee-free one', async (t) => {
  const fee = (s: DunningStep) => ({ ...s, fee: true });
  t.same(fields([due, fee(r1)]), [], 'after a fee-free due_date message');
  t.same(fields([r1, fee(r2)]), [], 'after a fee-free reminder');
  t.same(fields([fee(r1), r2]), ['steps[0].fee'], 'the first overdue message');
  t.same(
    fields([step({ key: 'pre', kind: 'pre_due', offset: -3, template: 'pre_due' }), fee(r1)]),
    ['steps[1].fee'],
    'a pre_due message is not a friendly overdue step',
  );
  t.same(fields([fee(due), r1]), ['steps[0].fee'], 'not on the due date');
  t.same(fields([step({ key: 'pre', kind: 'pre_due', offset: -3, template: 'pre_due', fee: true }), due]), ['steps[0].fee'], 'not before');
  t.same(fields([due, r1, step({ key: 'esc', kind: 'escalation', offset: 30, fee: true })]), ['steps[2].fee'], 'not on an escalation');
  t.same(
    fields([due, fee(r1), fee(r2)]),
    ['steps[2].fee'],
    'at most one fee step: charged once per invoice',
  );
  t.same(fields([{ ...r1, fee: 'no' as never }]), ['steps[0].fee']);
});

t.test('rules', async (t) => {
  const ruleFields = (over: Partial<DunningRules>) => fields([r1], rules(over));
  t.same(ruleFields({ min_gap_days: 0 }), []);
  t.same(ruleFields({ min_gap_days: 30 }), []);
  for (const bad of [-1, 31, 1.5]) t.same(ruleFields({ min_gap_days: bad }), ['rules.min_gap_days'], String(bad));

  t.same(ruleFields({ quiet_hours: { start: '22:00', end: '07:30' } }), []);
  t.same(ruleFields({ quiet_hours: { start: '12:00', end: '13:00' } }), [], 'a same-day span');
  t.same(ruleFields({ quiet_hours: { start: '24:00', end: '8:00' } }), ['rules.quiet_hours.start', 'rules.quiet_hours.end']);
  t.same(ruleFields({ quiet_hours: { start: '08:00', end: '08:00' } }), ['rules.quiet_hours.end'], 'equal');
  t.same(ruleFields({ payment_file_cutoff: '10:00:00' }), ['rules.payment_file_cutoff']);

  t.same(ruleFields({ reminder_fee: null }), []);
  t.same(ruleFields({ reminder_fee: 0 }), []);
  t.same(ruleFields({ reminder_fee: REMINDER_FEE_CAP }), [], '60 kr exactly');
  for (const bad of [-1, 60.5]) t.same(ruleFields({ reminder_fee: bad }), ['rules.reminder_fee'], String(bad));
  const [over] = validatePolicy([r1], rules({ reminder_fee: REMINDER_FEE_CAP + 1 }));
  t.equal(over?.field, 'rules.reminder_fee');
  t.match(over?.message, /lag \(1981:739\) 4 §/);
  t.match(over?.message, /60 kr/);

  t.same(ruleFields({ late_interest_margin_bp: 0 }), []);
  t.same(ruleFields({ late_interest_margin_bp: 2000 }), []);
  for (const bad of [-1, 2001, 8.5]) t.same(ruleFields({ late_interest_margin_bp: bad }), ['rules.late_interest_margin_bp'], String(bad));
  t.match(validatePolicy([r1], rules({ late_interest_margin_bp: 2500 }))[0]?.message, /8 percentage points/);
  t.same(ruleFields({ late_interest: 'yes' as never }), ['rules.late_interest']);

  t.same(ruleFields({ fallback_channels: [] }), []);
  t.same(ruleFields({ fallback_channels: ['webhook', 'webhook'] }), ['rules.fallback_channels[1]']);
  t.same(ruleFields({ fallback_channels: ['sms' as never] }), ['rules.fallback_channels[0]']);
  t.same(ruleFields({ fallback_channels: 'webhook' as never }), ['rules.fallback_channels']);
});

t.test('every problem at once, steps first', async (t) => {
  const problems = validatePolicy([{ ...r1, key: 'R1', offset: 0 }], rules({ min_gap_days: 99, reminder_fee: 9000 }));
  t.same(
    problems.map((p) => p.field),
    ['steps[0].key', 'steps[0].offset', 'rules.min_gap_days', 'rules.reminder_fee'],
  );
  t.ok(problems.every((p) => p.message.length > 0));
});
