// The dunning policy resource, its bodies and list query.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Metadata, Nullable, Timestamp } from '../../http/schemas.ts';
import { DEFAULT_RULES, DEFAULT_STEPS, REMINDER_FEE_CAP, STEP_KINDS, TEMPLATE_NAMES, TONES } from '../../domain/dunning-policy.ts';
import type { dunningPolicies } from './schema.ts';

type PolicyRow = typeof dunningPolicies.$inferSelect;
const HHMM = (description: string) => Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: `${description} (HH:MM, the merchant's time zone)` });

export const Step = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'Unique within the policy; a step reaches an invoice once per key' }),
    kind: Type.Enum(STEP_KINDS, {
      description:
        'pre_due: a nudge before the due date (skipped for autogiro and card, Kivra delivery, and once the due date has come); due_date: the fee-free soft reminder on the due date, sent once that day’s payment files are read or at the cut-off; reminder: after the due date; escalation: hand the claim to the collection agency (no message)',
    }),
    offset: Type.Integer({ minimum: -60, maximum: 365, description: 'From the due date: negative before it, 0 on it, positive after' }),
    offset_unit: Type.Union([Type.Literal('days'), Type.Literal('bank_days')], { description: 'Calendar days or Swedish bank days' }),
    tone: Type.Enum(TONES, { description: 'The wording: friendly, neutral or firm (always polite, never threatening)' }),
    template: Nullable(Type.Enum(TEMPLATE_NAMES, { description: 'The template rendering the message (GET /v1/templates); null for escalation' })),
    fee: Type.Boolean({ description: 'Charge the policy’s reminder fee with this step: only if the customer agreed no later than when the debt arose, and at most once per invoice' }),
    attach_pdf: Type.Boolean({ description: 'Attach the invoice PDF to the e-mail' }),
  },
  { additionalProperties: false },
);

const RulesFields = {
  min_gap_days: Type.Integer({ minimum: 0, maximum: 30, description: 'At least this many days between two messages to one customer' }),
  quiet_hours: Type.Object({ start: HHMM('Quiet from'), end: HHMM('Quiet until') }, { additionalProperties: false, description: 'Nothing is sent in this span, nor on Sundays and Swedish public holidays' }),
  payment_file_cutoff: HHMM('The due-date reminder waits for that day’s payment files, or until this time'),
  reminder_fee: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000, description: `The reminder fee in öre (null: none); at most ${REMINDER_FEE_CAP} (60 kr, lag (1981:739) 4 §)` })),
  late_interest: Type.Boolean({ description: 'Show late-payment interest (räntelagen 6 §: reference rate + margin, per day from the due date)' }),
  late_interest_margin_bp: Type.Integer({ minimum: 0, maximum: 2000, description: 'The margin over the reference rate, in basis points (800 = 8 percentage points, the legal default)' }),
  fallback_channels: Type.Array(Type.Literal('webhook'), { maxItems: 1, description: 'Where a message goes when e-mail bounces or the customer has no address: webhook (a reminder.requested event)' }),
};
export const Rules = Type.Object(RulesFields, { additionalProperties: false });
const RulesInput = Type.Partial(Type.Object(RulesFields, { additionalProperties: false }), { additionalProperties: false, description: 'Changes to the default rules; fields not sent keep their defaults (or, on update, their current values)' });

export const DunningPolicy = Type.Object(
  {
    id: Id('dunningPolicy'),
    object: Type.Literal('dunning_policy'),
    livemode: Type.Boolean(),
    name: Type.String(),
    is_default: Type.Boolean({ description: 'Used for every customer without a policy of their own; one per merchant' }),
    purpose: Type.Union([Type.Literal('dunning'), Type.Literal('payment_plan')], { description: 'payment_plan: the built-in policy payment plan instalments follow (a nudge and one fee-free reminder); one per merchant, made with its first plan' }),
    steps: Type.Array(Step, { description: 'In order; each is sent once per invoice' }),
    rules: Rules,
    metadata: Metadata,
    created: Timestamp('When it was created'),
    updated: Timestamp('When it last changed'),
  },
  {
    $id: 'DunningPolicy',
    description: 'How and when unpaid invoices are reminded: ordered steps from the due date, and the rules every step obeys',
    examples: [
      {
        id: 'dp_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'dunning_policy',
        livemode: false,
        name: 'Default',
        is_default: true,
        purpose: 'dunning',
        steps: DEFAULT_STEPS,
        rules: DEFAULT_RULES,
        metadata: {},
        created: '2026-12-01T09:00:00.000Z',
        updated: '2026-12-01T09:00:00.000Z',
      },
    ],
  },
);
export type DunningPolicyResource = Static<typeof DunningPolicy>;

export const CreatePolicyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    steps: Type.Optional(Type.Array(Step, { minItems: 1, maxItems: 10, description: 'Default: pre-due nudge, due-date soft reminder, two reminders, escalation' })),
    rules: Type.Optional(RulesInput),
    is_default: Type.Optional(Type.Boolean({ description: 'Make it the merchant’s default (the previous default stops being one)' })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, examples: [{ name: 'Gentle', rules: { min_gap_days: 5, reminder_fee: 6000 } }] },
);
export type CreatePolicyInput = Static<typeof CreatePolicyBody>;

export const UpdatePolicyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    steps: Type.Optional(Type.Array(Step, { minItems: 1, maxItems: 10 })),
    rules: Type.Optional(RulesInput),
    is_default: Type.Optional(Type.Literal(true, { description: 'Make it the default; to change the default, set another policy’s is_default' })),
    metadata: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 40 }), Nullable(Type.String({ maxLength: 500 })))),
  },
  { additionalProperties: false, examples: [{ rules: { reminder_fee: 6000 } }] },
);
export type UpdatePolicyInput = Static<typeof UpdatePolicyBody>;

export const PolicyParams = Type.Object({ id: Id('dunningPolicy', 'The policy id') });
export const ListPoliciesQuery = Type.Object({ ...ListQuery, starting_after: Type.Optional(Id('dunningPolicy')), ending_before: Type.Optional(Id('dunningPolicy')) }, { additionalProperties: false });
export const PolicyList = ListOf(DunningPolicy, 'A page of dunning policies, newest first');

export function toPolicyResource(row: PolicyRow, livemode: boolean): DunningPolicyResource {
  return {
    id: row.id,
    object: 'dunning_policy',
    livemode,
    name: row.name,
    is_default: row.isDefault,
    purpose: row.purpose,
    steps: row.steps,
    rules: row.rules,
    metadata: row.metadata,
    created: row.createdAt.toISOString(),
    updated: row.updatedAt.toISOString(),
  };
}
