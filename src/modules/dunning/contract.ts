// An invoice's place in the reminder process, and the bodies of its routes.
import { Type, type Static } from 'typebox';
import { Id, Nullable, Timestamp } from '../../http/schemas.ts';
import { CASE_STATUSES } from './schema.ts';
import { Step } from './policy-contract.ts';
import type { CaseView } from './service.ts';

export const DunningCase = Type.Object(
  {
    object: Type.Literal('dunning_case'),
    livemode: Type.Boolean(),
    invoice: Id('invoice'),
    policy: Id('dunningPolicy', 'The policy it follows (the customer’s, else the merchant’s default when the case opened)'),
    status: Type.Enum(CASE_STATUSES, {
      description: 'active (steps go out as they fall due), disputed (paused until resolved), escalated (handed to the collection agency; reminders stopped), closed (paid, credited, voided, written off, or the policy completed), paused (the invoice is in a payment plan; next_step is the step the process goes on from if the plan defaults)',
    }),
    next_step: Nullable(Step),
    next_action_at: Nullable(Timestamp('When the sweep next looks at it (business time); null when nothing is planned or escalation is stopped')),
    reminder_fee: Type.Integer({ description: 'The reminder fee charged on this invoice (öre), at most once' }),
    interest: Nullable(
      Type.Object({
        amount: Type.Integer({ description: 'Late-payment interest to date on the unpaid amount (öre)' }),
        rate_bp: Nullable(Type.Integer({ description: 'The annual rate in force today, basis points (reference rate + margin)' })),
        as_of: Type.String({ format: 'date' }),
      }),
    ),
    escalation: Type.Object({
      stopped: Type.Boolean({ description: 'The merchant stopped escalation of this invoice' }),
      postponed_until: Nullable(Timestamp('No escalation before this')),
    }),
    dispute: Nullable(Type.Object({ disputed_at: Timestamp('When it was disputed'), reason: Nullable(Type.String()) })),
    closed_reason: Nullable(Type.String({ description: 'Why the process ended: paid, credited, void, uncollectible, policy_completed, …' })),
    escalated_at: Nullable(Timestamp('When the claim was handed to the collection agency')),
    messages: Type.Array(
      Type.Object({
        id: Id('message'),
        step: Type.String(),
        channel: Type.String(),
        status: Type.String(),
        to: Nullable(Type.String()),
        sent_at: Timestamp('When it was sent (business time)'),
      }),
      { description: 'Every reminder about this invoice, oldest first' },
    ),
  },
  {
    $id: 'DunningCase',
    description: 'Where an invoice is in its reminder process',
    examples: [
      {
        object: 'dunning_case',
        livemode: false,
        invoice: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        policy: 'dp_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        status: 'active',
        next_step: { key: 'reminder_1', kind: 'reminder', offset: 3, offset_unit: 'bank_days', tone: 'friendly', template: 'reminder', fee: false, attach_pdf: true },
        next_action_at: '2026-12-09T07:00:00.000Z',
        reminder_fee: 0,
        interest: { amount: 822, rate_bp: 1000, as_of: '2026-12-06' },
        escalation: { stopped: false, postponed_until: null },
        dispute: null,
        closed_reason: null,
        escalated_at: null,
        messages: [{ id: 'msg_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', step: 'due_date', channel: 'email', status: 'sent', to: 'anna@example.se', sent_at: '2026-12-04T09:00:00.000Z' }],
      },
    ],
  },
);
export type DunningCaseResource = Static<typeof DunningCase>;

export const InvoiceParams = Type.Object({ id: Id('invoice', 'The invoice id') });
export const DisputeBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'What the customer disputes' })) },
  { additionalProperties: false, examples: [{ reason: 'Customer says the service was canceled in October' }] },
);
export const EscalationBody = Type.Object(
  {
    stopped: Type.Optional(Type.Boolean({ description: 'true stops escalation of this invoice (reminders still go out); false allows it again' })),
    postponed_until: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'No escalation before this; null removes the postponement' }))),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ postponed_until: '2027-01-15T00:00:00Z' }] },
);
export const PreviewQuery = Type.Object(
  { step: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'The step key (default: the next step)' })) },
  { additionalProperties: false },
);
export const ReminderPreview = Type.Object(
  {
    object: Type.Literal('reminder_preview'),
    step: Step,
    subject: Type.String(),
    text: Type.String(),
    html: Type.String(),
    reminder_fee: Type.Integer({ description: 'The fee this step would charge now (öre)' }),
    interest: Type.Integer({ description: 'Interest to date it would show (öre)' }),
    to: Nullable(Type.String({ description: 'The e-mail address it would go to' })),
    delivery: Type.String({ description: 'The customer’s delivery choice that picks the channel' }),
  },
  {
    $id: 'ReminderPreview',
    description: 'A reminder step rendered for an invoice as it would go out now; nothing is sent or recorded',
    examples: [
      {
        object: 'reminder_preview',
        step: { key: 'due_date', kind: 'due_date', offset: 0, offset_unit: 'days', tone: 'friendly', template: 'due_date', fee: false, attach_pdf: false },
        subject: 'Påminnelse: faktura F-1042 förfaller idag',
        text: 'Hej Anna!\n\nIdag är sista dagen att betala faktura F-1042 på 199,00 kr. Har du redan betalat? Tack, då behöver du inte göra något.',
        html: '<p>Hej Anna!</p><p>Idag är sista dagen att betala faktura F-1042 på 199,00 kr.</p>',
        reminder_fee: 0,
        interest: 0,
        to: 'anna@example.se',
        delivery: 'email_pdf',
      },
    ],
  },
);

export function toCaseResource(v: CaseView, livemode: boolean): DunningCaseResource {
  return {
    object: 'dunning_case',
    livemode,
    invoice: v.invoiceId,
    policy: v.policyId,
    status: v.status,
    next_step: v.nextStep,
    next_action_at: v.nextActionAt?.toISOString() ?? null,
    reminder_fee: v.feeAmount,
    interest: v.interest ? { amount: v.interest.amount, rate_bp: v.interest.rateBp, as_of: v.interest.asOf } : null,
    escalation: { stopped: v.escalationStopped, postponed_until: v.escalationPostponedUntil?.toISOString() ?? null },
    dispute: v.disputedAt ? { disputed_at: v.disputedAt.toISOString(), reason: v.disputeReason } : null,
    closed_reason: v.closedReason,
    escalated_at: v.escalatedAt?.toISOString() ?? null,
    messages: v.messages.map((m) => ({ id: m.id, step: m.step_key, channel: m.channel, status: m.status, to: m.to_address, sent_at: new Date(m.business_time).toISOString() })),
  };
}

const Address = Type.Object({ line1: Type.String(), line2: Nullable(Type.String()), postal_code: Nullable(Type.String()), city: Nullable(Type.String()), country: Nullable(Type.String()) });

/** What collection.escalated carries: everything a licensed agency needs to take over the claim. */
export const CollectionEscalation = Type.Object(
  {
    id: Id('invoice', 'The escalated invoice (the event’s object id)'),
    object: Type.Literal('collection_escalation'),
    invoice: Id('invoice'),
    agency: Nullable(
      Type.Object({ name: Type.String(), organisation_number: Type.Optional(Nullable(Type.String())), email: Type.Optional(Nullable(Type.String())), reference: Type.Optional(Nullable(Type.String())) }, { description: 'The merchant’s collection agency (PATCH /v1/merchant collection_agency); null when none is set' }),
    ),
    escalated_at: Timestamp('When the claim was handed over (business time)'),
    debtor: Type.Object({
      id: Id('customer'),
      external_id: Nullable(Type.String()),
      name: Type.String(),
      type: Type.Union([Type.Literal('person'), Type.Literal('company')]),
      national_id: Nullable(Type.String({ description: 'In full (personnummer or organisationsnummer): the agency must identify the debtor. Sent only to the merchant’s own endpoints.' })),
      national_id_kind: Nullable(Type.String()),
      email: Nullable(Type.String()),
      phone: Nullable(Type.String()),
      address: Nullable(Address),
    }),
    claim: Type.Object({
      currency: Type.String(),
      invoice_number: Nullable(Type.String()),
      ocr_reference: Nullable(Type.String()),
      issue_date: Nullable(Type.String({ format: 'date' })),
      due_date: Type.String({ format: 'date' }),
      invoice_total: Type.Integer(),
      amount_paid: Type.Integer(),
      amount_credited: Type.Integer(),
      principal: Type.Integer({ description: 'What is left to pay on the invoice (öre)' }),
      reminder_fee: Type.Integer({ description: 'The reminder fee charged (öre; 0 unless agreed in time)' }),
      interest: Type.Integer({ description: 'Late-payment interest from the due date to the escalation day (öre)' }),
      interest_rate_bp: Nullable(Type.Integer({ description: 'The annual rate in force on the escalation day, basis points' })),
      interest_from: Type.String({ format: 'date' }),
      interest_to: Type.String({ format: 'date' }),
      total: Type.Integer({ description: 'principal + reminder_fee + interest' }),
    }),
    messages: Type.Array(
      Type.Object({ id: Id('message'), step: Type.String(), channel: Type.String(), status: Type.String(), to: Nullable(Type.String()), sent_at: Timestamp('When it was sent (business time)') }),
      { description: 'Every reminder sent about the invoice, oldest first, with its date and channel' },
    ),
  },
  { $id: 'CollectionEscalation', description: 'A claim handed to the merchant’s debt collection agency: the debtor, the claim with fees and interest to date, and every message sent' },
);
