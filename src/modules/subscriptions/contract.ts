// The subscription resource as the API shows it, and the bodies of its lifecycle operations.
import { Type, type Static } from 'typebox';
import { Id, Metadata, Nullable, Timestamp, ListOf, ListQuery, eitherOr } from '../../http/schemas.ts';
import type { SubscriptionItemRow, SubscriptionRow } from './store.ts';
import { CANCELLATION_INITIATORS, CANCELLATION_REASONS, SUBSCRIPTION_STATUSES } from './schema.ts';

const CalendarDate = (description: string) => Type.String({ format: 'date', description: `${description} (YYYY-MM-DD, merchant's time zone)` });

const ItemBody = Type.Object(
  {
    price: Id('price', 'A recurring price'),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  },
  { additionalProperties: false },
);
const Items = Type.Array(ItemBody, {
  minItems: 1,
  maxItems: 20,
  description: 'Recurring prices with quantities; all in one currency and billing interval',
});

export const CreateSubscriptionBody = Type.Object(
  {
    customer: Id('customer'),
    items: Type.Optional(Items),
    price: Type.Optional(Id('price', 'Shorthand for items: [{ price, quantity }] with one recurring price')),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'With price: how many' })),
    start_date: Type.Optional(CalendarDate('First day of the subscription; today or later; default today')),
    trial_period_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 730, description: 'Free days before the first invoice' })),
    trial_end: Type.Optional(CalendarDate('First billed day after a free trial (instead of trial_period_days)')),
    metadata: Type.Optional(Metadata),
  },
  {
    additionalProperties: false,
    examples: [{ customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', items: [{ price: 'price_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', quantity: 1 }] }],
  },
);
export type CreateSubscriptionInput = Static<typeof CreateSubscriptionBody>;
// `items` xor `price` (+ `quantity`); `trial_period_days` xor `trial_end` (or neither). Checked by
// the service, naming the field.
eitherOr(
  CreateSubscriptionBody,
  [
    { title: 'Items', required: ['items'], forbidden: ['price', 'quantity'] },
    { title: 'One price', required: ['price'], forbidden: ['items'] },
  ],
  [
    { title: 'Trial by days', required: ['trial_period_days'], forbidden: ['trial_end'] },
    { title: 'Trial until a date, or no trial', forbidden: ['trial_period_days'] },
  ],
);

export const UpdateSubscriptionBody = Type.Object(
  {
    items: Type.Optional(Items),
    proration_behavior: Type.Optional(
      Type.Enum(['create_prorations', 'none'], {
        default: 'create_prorations',
        description: 'create_prorations: credit the unused part of the old items and charge the new ones for the rest of the period, on the next invoice',
      }),
    ),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, description: 'items replaces the whole set (a changed price or quantity)' },
);
export type UpdateSubscriptionInput = Static<typeof UpdateSubscriptionBody>;

export const CancelSubscriptionBody = Type.Object(
  {
    reason: Type.Enum(CANCELLATION_REASONS, { description: 'Why the subscription ends (churn analytics depends on it)' }),
    feedback: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'Free text, e.g. the customer’s own words' }))),
    initiator: Type.Optional(Type.Enum(CANCELLATION_INITIATORS, { default: 'merchant', description: 'Who ended it: customer, merchant, or involuntary (collection failed)' })),
    at_period_end: Type.Optional(Type.Boolean({ default: false, description: 'Keep it until the paid period ends instead of ending it now' })),
    prorate: Type.Optional(Type.Boolean({ default: false, description: 'Ending now: credit the unused part of the paid period with a credit note' })),
  },
  { additionalProperties: false, examples: [{ reason: 'too_expensive', feedback: 'Billigare hos konkurrenten', initiator: 'customer', at_period_end: true }] },
);
export type CancelSubscriptionInput = Static<typeof CancelSubscriptionBody>;

export const Subscription = Type.Object(
  {
    id: Id('subscription'),
    object: Type.Literal('subscription'),
    livemode: Type.Boolean(),
    customer: Type.String(),
    status: Type.Enum(SUBSCRIPTION_STATUSES, {
      description: 'scheduled (starts later), trialing, active, paused (no invoices) or canceled',
    }),
    currency: Type.String(),
    items: Type.Array(Type.Object({ id: Id('subscriptionItem'), price: Type.String(), quantity: Type.Integer() })),
    interval_months: Type.Integer({ description: 'Length of a period in months (1 month, 3 quarter, 12 year, or N months)' }),
    billing_anchor_day: Type.Integer({ description: 'Day of month periods start on; 29–31 fall on the last day of shorter months' }),
    start_date: CalendarDate('First day'),
    trial_end: Nullable(CalendarDate('First billed day after the trial')),
    current_period_start: Nullable(CalendarDate('First day of the current (billed) period')),
    current_period_end: Nullable(CalendarDate('Day after the last day of the current period')),
    next_billing_date: Nullable(CalendarDate('When the next invoice is due to be created')),
    cancel_at_period_end: Type.Boolean(),
    cancel_at: Nullable(CalendarDate('When it will end')),
    canceled_at: Nullable(Timestamp('When cancellation was requested')),
    ended_at: Nullable(Timestamp('When it ended')),
    cancellation_details: Nullable(
      Type.Object({
        reason: Type.Enum(CANCELLATION_REASONS),
        feedback: Nullable(Type.String()),
        initiator: Type.Enum(CANCELLATION_INITIATORS),
      }),
    ),
    paused_at: Nullable(Timestamp('When it was paused')),
    metadata: Type.Record(Type.String(), Type.String()),
    created_at: Timestamp('When the subscription was created'),
    updated_at: Timestamp('When it last changed'),
  },
  { $id: 'Subscription', description: 'Recurring billing of a customer, invoiced in advance per period' },
);
export type SubscriptionResource = Static<typeof Subscription>;

export const SubscriptionParams = Type.Object({ id: Id('subscription', 'The subscription id') });
export const ListSubscriptionsQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('subscription')),
    ending_before: Type.Optional(Id('subscription')),
    customer: Type.Optional(Id('customer')),
    status: Type.Optional(Type.Enum(SUBSCRIPTION_STATUSES)),
  },
  { additionalProperties: false },
);
export const SubscriptionList = ListOf(Subscription, 'A page of subscriptions, newest first');

export function toSubscriptionResource(row: SubscriptionRow, items: SubscriptionItemRow[], livemode: boolean): SubscriptionResource {
  return {
    id: row.id,
    object: 'subscription',
    livemode,
    customer: row.customerId,
    status: row.status,
    currency: row.currency,
    items: items.map((i) => ({ id: i.id, price: i.priceId, quantity: i.quantity })),
    interval_months: row.intervalMonths,
    billing_anchor_day: row.billingAnchorDay,
    start_date: row.startDate,
    trial_end: row.trialEnd,
    current_period_start: row.currentPeriodStart,
    current_period_end: row.currentPeriodEnd,
    next_billing_date: row.status === 'canceled' || row.status === 'paused' ? null : row.nextBillDate,
    cancel_at_period_end: row.cancelAtPeriodEnd,
    cancel_at: row.cancelAt,
    canceled_at: row.canceledAt?.toISOString() ?? null,
    ended_at: row.endedAt?.toISOString() ?? null,
    cancellation_details:
      row.cancellationReason && row.cancellationInitiator
        ? { reason: row.cancellationReason, feedback: row.cancellationFeedback, initiator: row.cancellationInitiator }
        : null,
    paused_at: row.pausedAt?.toISOString() ?? null,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
