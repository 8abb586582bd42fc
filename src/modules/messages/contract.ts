// The message resource as the API and the reminder.* events show it, and its list query.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Nullable, Timestamp } from '../../http/schemas.ts';
import { STEP_KINDS, TONES } from '../../domain/dunning-policy.ts';
import { DELIVERY_TYPES } from '../customers/choices.ts';
import { MESSAGE_CHANNELS, MESSAGE_STATUSES } from './schema.ts';
import type { MessageInvoiceRow, MessageRow } from './store.ts';

const MSG = 'msg_01KB2Y5M8Q0ZC3V1S7N4D6F9XA';

export const Message = Type.Object(
  {
    id: Id('message'),
    object: Type.Literal('message'),
    livemode: Type.Boolean(),
    kind: Type.Literal('reminder'),
    customer: Id('customer', 'Who it is to'),
    policy: Nullable(Type.String({ description: 'The dunning policy that sent it' })),
    step: Type.Object(
      {
        key: Type.String({ description: "The policy step's key: one message per invoice and step key, ever" }),
        kind: Type.Enum(STEP_KINDS),
        tone: Type.Enum(TONES),
      },
      { description: 'Which step of the reminder process it is' },
    ),
    experiment: Nullable(
      Type.Object(
        { id: Id('experiment'), arm: Type.String({ description: 'The arm’s key' }) },
        { description: 'The experiment the customer was in when it was made, while it ran (POST /v1/experiments): its results count this message' },
      ),
    ),
    locale: Type.Enum(['sv', 'en']),
    channel: Type.Enum(MESSAGE_CHANNELS, {
      description: 'email: Omtanke sends it; webhook: the reminder.requested event carries it, for your system to send (Kivra, Peppol, paper, or e-mail without an address)',
    }),
    delivery: Type.Enum(DELIVERY_TYPES, { description: "The customer's delivery choice that picked the channel" }),
    to: Nullable(Type.String({ description: 'The e-mail address (email channel)' })),
    subject: Type.String(),
    text: Type.String({ description: 'The plain-text body' }),
    html: Type.String({ description: 'The HTML body' }),
    attach_pdf: Type.Boolean({ description: "Whether each covered invoice's PDF is attached to the e-mail" }),
    invoices: Type.Array(
      Type.Object({ invoice: Id('invoice'), amount_remaining: Type.Integer({ description: 'What was left to pay on it when the message was made (öre)' }) }),
      { description: 'The invoices it reminds of (a fallback covers those of the message it replaces)' },
    ),
    currency: Type.String(),
    amount_due: Type.Integer({ description: 'What the message asks for, in minor units (öre)' }),
    fee_amount: Type.Integer({ description: 'The reminder fee charged with it (öre)' }),
    interest_amount: Type.Integer({ description: 'Late-payment interest to date (öre)' }),
    status: Type.Enum(MESSAGE_STATUSES, {
      description:
        'queued (waiting to be sent), sending (being sent), sent (the SMTP server accepted it, or reminder.requested was recorded), stored (no SMTP server configured: kept here and written as an .eml file), bounced (refused for good; a fallback message follows on the next channel), failed (no channel left)',
    }),
    attempts: Type.Integer({ minimum: 0, description: 'Sending tries so far (e-mail)' }),
    next_attempt_at: Nullable(Timestamp('When the next try is due (queued e-mail)')),
    last_error: Nullable(Type.String({ description: "The last SMTP server's answer or error, when a try failed" })),
    message_id_header: Type.String({ description: 'The Message-ID header, the same on every try: a resend after a crash is recognisable by it' }),
    fallback_of: Nullable(Id('message', 'The bounced message this one replaces')),
    fallback_channels: Type.Array(Type.Literal('webhook'), { description: 'The channels left to fall back to, in order' }),
    business_time: Timestamp('The business time it was made for (a test clock’s time for a customer on one)'),
    sent_at: Nullable(Timestamp('When it was handed over')),
    created_at: Timestamp('When it was made'),
    updated_at: Timestamp('When it last changed'),
  },
  {
    $id: 'Message',
    description: 'A message Omtanke sent (or asked you to send) a customer, kept whole: what, to whom, when, why and what became of it',
    examples: [
      {
        id: MSG,
        object: 'message',
        livemode: false,
        kind: 'reminder',
        customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        policy: null,
        step: { key: 'reminder_1', kind: 'reminder', tone: 'friendly' },
        experiment: null,
        locale: 'sv',
        channel: 'email',
        delivery: 'email_pdf',
        to: 'asa@example.se',
        subject: 'Påminnelse: faktura F-1001',
        text: 'Hej Åsa! Vi har inte sett någon betalning av faktura F-1001 …',
        html: '<p>Hej Åsa! Vi har inte sett någon betalning av faktura F-1001 …</p>',
        attach_pdf: true,
        invoices: [{ invoice: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', amount_remaining: 19900 }],
        currency: 'SEK',
        amount_due: 19900,
        fee_amount: 0,
        interest_amount: 0,
        status: 'sent',
        attempts: 1,
        next_attempt_at: null,
        last_error: null,
        message_id_header: `<${MSG}@omtanke.invalid>`,
        fallback_of: null,
        fallback_channels: ['webhook'],
        business_time: '2026-12-03T08:00:00.000Z',
        sent_at: '2026-12-03T08:00:01.000Z',
        created_at: '2026-12-03T08:00:00.000Z',
        updated_at: '2026-12-03T08:00:01.000Z',
      },
    ],
  },
);
export type MessageResource = Static<typeof Message>;

export const MessageParams = Type.Object({ id: Id('message', 'The message id') });
export const ListMessagesQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('message')),
    ending_before: Type.Optional(Id('message')),
    customer: Type.Optional(Id('customer', "Only this customer's messages")),
    invoice: Type.Optional(Id('invoice', 'Only messages about this invoice')),
    status: Type.Optional(Type.Enum(MESSAGE_STATUSES)),
  },
  { additionalProperties: false },
);
export const MessageList = ListOf(Message, 'A page of messages, newest first');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toMessageResource(row: MessageRow, invoices: MessageInvoiceRow[], livemode: boolean): MessageResource {
  return {
    id: row.id,
    object: 'message',
    livemode,
    kind: row.kind,
    customer: row.customerId,
    policy: row.policyId,
    step: { key: row.stepKey, kind: row.stepKind as MessageResource['step']['kind'], tone: row.tone as MessageResource['step']['tone'] },
    experiment: row.experimentId ? { id: row.experimentId, arm: row.experimentArm ?? '' } : null,
    locale: row.locale,
    channel: row.channel,
    delivery: row.delivery as MessageResource['delivery'],
    to: row.toAddress,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody,
    attach_pdf: row.attachPdf,
    invoices: invoices.map((i) => ({ invoice: i.invoiceId, amount_remaining: i.amountRemaining })),
    currency: row.currency,
    amount_due: row.amountDue,
    fee_amount: row.feeAmount,
    interest_amount: row.interestAmount,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: iso(row.nextAttemptAt),
    last_error: row.lastError,
    message_id_header: row.messageIdHeader,
    fallback_of: row.fallbackOf,
    fallback_channels: row.fallbackChannels,
    business_time: row.businessTime.toISOString(),
    sent_at: iso(row.sentAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
