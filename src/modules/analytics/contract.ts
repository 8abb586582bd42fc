// The reminder analytics resource and its query.
import { Type, type Static } from 'typebox';
import { Nullable } from '../../http/schemas.ts';
import { rateBp } from '../../domain/reminder-analytics.ts';
import type { GroupFigures } from './store.ts';

export const GROUP_BY = ['step', 'policy', 'tone', 'channel'] as const;

const Day = (description: string) => Type.String({ format: 'date', description: `${description} (YYYY-MM-DD, the merchant’s time zone)` });
const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Rate = (description: string) => Nullable(Type.Integer({ minimum: 0, maximum: 10_000, description: `${description}, in basis points (5500 = 55 %, rounded half up); null when there is nothing to divide by` }));

export const RemindersQuery = Type.Object(
  {
    from: Day('First day: messages whose business time falls on or after its start'),
    to: Day('Day after the last: messages before its start; at most 24 months after from'),
    group_by: Type.Optional(Type.Enum(GROUP_BY, { default: 'step', description: 'step (the policy step’s key), policy (dp_… that sent it), tone, or channel (email or webhook: the one that delivered it)' })),
  },
  { additionalProperties: false },
);
export type RemindersQuery = Static<typeof RemindersQuery>;

export const ReminderGroup = Type.Object(
  {
    key: Nullable(Type.String({ description: 'The step key, policy id, tone or channel' })),
    messages: Count('Messages delivered (status sent or stored; a bounced e-mail counts once, through its fallback message)'),
    invoices_reminded: Count('Distinct invoices those messages covered; each counts from its first message in the group'),
    paid_within_2_bank_days: Count('Of those invoices, paid in full on or before the 2nd Swedish bank day after the message’s day'),
    paid_within_2_bank_days_rate_bp: Rate('paid_within_2_bank_days of invoices_reminded'),
    paid_within_7_days: Count('Paid in full on or before the 7th day after the message’s day'),
    paid_within_7_days_rate_bp: Rate('paid_within_7_days of invoices_reminded'),
    paid: Count('Paid in full so far, whenever'),
    median_days_to_payment: Nullable(Type.Integer({ minimum: 0, description: 'Median of the days from the message’s day to the payment’s (the lower middle value when even; a payment dated before the message counts 0); null when none is paid' })),
    escalated: Count('Invoices handed to the collection agency (collection.escalated, in_collection) at or after the message'),
    escalated_rate_bp: Rate('escalated of invoices_reminded'),
    customers: Count('Distinct customers reminded; each counts from their first message in the group'),
    churned_within_90_days: Count('Of those customers, how many had a live subscription at the message and none 90 days later (every one ended within 90 days)'),
    churned_within_90_days_rate_bp: Rate('churned_within_90_days of customers'),
  },
  { additionalProperties: false },
);

export const ReminderAnalytics = Type.Object(
  {
    object: Type.Literal('reminder_analytics'),
    livemode: Type.Boolean(),
    from: Day('As asked'),
    to: Day('As asked'),
    group_by: Type.Enum(GROUP_BY),
    time_zone: Type.String({ description: 'The merchant’s time zone: days and the [from, to) span are read in it' }),
    groups: Type.Array(ReminderGroup, { description: 'One per key that had a delivered message in the span, by key (null last)' }),
  },
  {
    $id: 'ReminderAnalytics',
    description: 'What became of the reminders sent in a span, per step, policy, tone or channel',
    examples: [
      {
        object: 'reminder_analytics',
        livemode: false,
        from: '2026-01-01',
        to: '2026-04-01',
        group_by: 'step',
        time_zone: 'Europe/Stockholm',
        groups: [
          {
            key: 'due_date',
            messages: 200,
            invoices_reminded: 210,
            paid_within_2_bank_days: 116,
            paid_within_2_bank_days_rate_bp: 5524,
            paid_within_7_days: 150,
            paid_within_7_days_rate_bp: 7143,
            paid: 190,
            median_days_to_payment: 2,
            escalated: 6,
            escalated_rate_bp: 286,
            customers: 200,
            churned_within_90_days: 9,
            churned_within_90_days_rate_bp: 450,
          },
        ],
      },
    ],
  },
);

export function toGroupResource(g: GroupFigures): Static<typeof ReminderGroup> {
  return {
    key: g.key,
    messages: g.messages,
    invoices_reminded: g.invoicesReminded,
    paid_within_2_bank_days: g.paidWithin2BankDays,
    paid_within_2_bank_days_rate_bp: rateBp(g.paidWithin2BankDays, g.invoicesReminded),
    paid_within_7_days: g.paidWithin7Days,
    paid_within_7_days_rate_bp: rateBp(g.paidWithin7Days, g.invoicesReminded),
    paid: g.paid,
    median_days_to_payment: g.medianDaysToPayment,
    escalated: g.escalated,
    escalated_rate_bp: rateBp(g.escalated, g.invoicesReminded),
    customers: g.customers,
    churned_within_90_days: g.churnedWithin90Days,
    churned_within_90_days_rate_bp: rateBp(g.churnedWithin90Days, g.customers),
  };
}
