// The collection attempt resource as the API and events show it, and its list query.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Nullable, Timestamp } from '../../http/schemas.ts';
import { ATTEMPT_STATUSES, COLLECTION_METHODS, OUTCOMES, type collectionAttempts } from './schema.ts';

type AttemptRow = typeof collectionAttempts.$inferSelect;
const COLATT = 'colatt_01KB2Y5M8Q0ZC3V1S7N4D6F9XA';

export const CollectionAttempt = Type.Object(
  {
    id: Id('collectionAttempt'),
    object: Type.Literal('collection_attempt'),
    livemode: Type.Boolean(),
    invoice: Id('invoice', 'The invoice being collected'),
    customer: Id('customer', 'Whose payment method is charged'),
    attempt_number: Type.Integer({ minimum: 1, description: 'Attempt 1 is on the due date; 2, 3 and 4 follow 1, 3 and 5 days after it' }),
    method: Type.Enum(COLLECTION_METHODS, { description: 'How it is collected: a card charge, a Swish payment request or an autogiro payment order' }),
    payment_method: Type.Object(
      {
        type: Type.Enum(COLLECTION_METHODS),
        brand: Type.Optional(Type.String()),
        last4: Type.Optional(Type.String()),
        phone: Type.Optional(Type.String()),
        payer_number: Type.Optional(Type.String()),
        bank: Type.Optional(Type.String()),
      },
      { description: "The invoice's payment method as recorded at finalisation (the card token is never shown)" },
    ),
    amount: Nullable(Type.Integer({ description: "What is charged, in minor units (öre): the invoice's amount remaining when the attempt was first worked; null until then" })),
    currency: Type.String(),
    due_date: Type.String({ format: 'date', description: 'The day it is due (YYYY-MM-DD, the merchant’s calendar)' }),
    due_at: Timestamp('When it falls due, in business time (the start of due_date; a test clock’s time for a customer on one)'),
    status: Type.Enum(ATTEMPT_STATUSES, {
      description:
        'scheduled (waiting for its day), processing (being submitted), submitted (accepted by the processor, result awaited), succeeded (paid: `payment`), failed (declined or failed; the next attempt at `next_attempt_at`), exhausted (declined or failed and no attempt left: the invoice is left to reminders), canceled (the invoice was paid, voided or written off first)',
    }),
    outcome: Nullable(Type.Enum(OUTCOMES, { description: 'The processor’s result once in' })),
    outcome_code: Nullable(Type.String({ description: 'Why it was declined or failed: insufficient_funds, expired_card, swish_account_closed, mandate_invalid, processor_error, …' })),
    outcome_message: Nullable(Type.String()),
    processor: Type.String({ description: 'The processor it goes through (`test` in test mode)' }),
    processor_reference: Nullable(Type.String({ description: "The processor's reference (its charge id) once accepted" })),
    payment: Nullable(Id('payment', 'The payment recorded when it succeeded')),
    next_attempt_at: Nullable(Timestamp('When the next attempt falls due (failed attempts)')),
    submitted_at: Nullable(Timestamp('When the processor accepted it (business time)')),
    completed_at: Nullable(Timestamp('When its result was applied (business time)')),
    created_at: Timestamp('When it was scheduled'),
  },
  {
    $id: 'CollectionAttempt',
    description: 'One try of collecting an invoice through a processor: a card charge, a Swish payment request or an autogiro payment order',
    examples: [
      {
        id: COLATT,
        object: 'collection_attempt',
        livemode: false,
        invoice: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        attempt_number: 1,
        method: 'card',
        payment_method: { type: 'card', brand: 'visa', last4: '4242' },
        amount: 19900,
        currency: 'SEK',
        due_date: '2026-12-28',
        due_at: '2026-12-27T23:00:00.000Z',
        status: 'failed',
        outcome: 'declined',
        outcome_code: 'insufficient_funds',
        outcome_message: 'Insufficient funds',
        processor: 'test',
        processor_reference: 'ch_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        payment: null,
        next_attempt_at: '2026-12-28T23:00:00.000Z',
        submitted_at: '2026-12-27T23:00:00.000Z',
        completed_at: '2026-12-27T23:00:00.000Z',
        created_at: '2026-11-28T09:00:00.000Z',
      },
    ],
  },
);
export type CollectionAttemptResource = Static<typeof CollectionAttempt>;

export const CollectionAttemptParams = Type.Object({ id: Id('collectionAttempt', 'The collection attempt id') });
export const ListCollectionAttemptsQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('collectionAttempt')),
    ending_before: Type.Optional(Id('collectionAttempt')),
    invoice: Type.Optional(Id('invoice', "Only this invoice's attempts")),
    customer: Type.Optional(Id('customer', "Only this customer's attempts")),
    status: Type.Optional(Type.Enum(ATTEMPT_STATUSES)),
  },
  { additionalProperties: false },
);
export const CollectionAttemptList = ListOf(CollectionAttempt, 'A page of collection attempts, newest first');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toAttemptResource(row: AttemptRow, livemode: boolean): CollectionAttemptResource {
  const pm = row.paymentMethod;
  const shown: CollectionAttemptResource['payment_method'] =
    pm.type === 'card'
      ? { type: 'card', brand: pm.brand, last4: pm.last4 }
      : pm.type === 'swish'
        ? { type: 'swish', phone: pm.phone }
        : pm.type === 'autogiro'
          ? { type: 'autogiro', payer_number: pm.payer_number, bank: pm.bank }
          : { type: row.method };
  return {
    id: row.id,
    object: 'collection_attempt',
    livemode,
    invoice: row.invoiceId,
    customer: row.customerId,
    attempt_number: row.attemptNumber,
    method: row.method,
    payment_method: shown,
    amount: row.amount,
    currency: row.currency,
    due_date: row.dueDate,
    due_at: row.dueAt.toISOString(),
    status: row.status,
    outcome: row.outcome,
    outcome_code: row.outcomeCode,
    outcome_message: row.outcomeMessage,
    processor: row.processor,
    processor_reference: row.processorReference,
    payment: row.paymentId,
    next_attempt_at: iso(row.nextAttemptAt),
    submitted_at: iso(row.submittedAt),
    completed_at: iso(row.completedAt),
    created_at: row.createdAt.toISOString(),
  };
}
